"""The word lists paperqa's rules read: data, one list per meaning, each with what it is for.

Rules elsewhere refer to these by name; a list that two rules need is written here once.
"""

from __future__ import annotations

from bm25s.stopwords import STOPWORDS_EN_PLUS

#: Words every abstract uses about itself: they tell no paper from another.
DOMAIN_STOPWORDS = frozenset(
    {"also", "could", "would", "paper", "papers", "study", "work", "propose", "proposed", "show", "shows"}
    | {"shown", "use", "used", "using", "based", "via", "new", "approach", "method", "results", "model"}
    | {"models"}
)

#: Words that carry no meaning of their own: bm25s's English list (NLTK's, with the
#: contractions) plus the words every abstract uses about itself.
STOPWORDS = frozenset(STOPWORDS_EN_PLUS) | DOMAIN_STOPWORDS

#: Words about documents and what is done with them, found both in requests ("summarize the
#: paper") and in sentences that talk about sources ("the study reports").
DOCUMENT_WORDS = frozenset(
    {"according", "answer", "authors", "describe", "explain", "paper", "papers", "report", "studies"}
    | {"study", "summarise", "summarize", "summary", "work", "works"}
)

#: Words that talk about the sources rather than their content: a sentence made of them
#: says nothing the question did not ("X is reported in the document").
META_WORDS = DOCUMENT_WORDS | frozenset(
    {"abstract", "abstracts", "answers", "article", "articles", "author", "context", "described"}
    | {"describes", "detail", "details", "discuss", "discussed", "discusses", "document", "documents"}
    | {"explained", "explains", "framework", "frameworks", "given", "information", "mention", "mentioned"}
    | {"mentions", "note", "notes", "pipeline", "present", "presented", "presents", "provide", "provided"}
    | {"provides", "publication", "question", "questions", "reported", "reports", "research"}
    | {"researchers", "source", "sources", "state", "stated", "states", "system", "systems", "technique"}
    | {"techniques", "text", "texts", "tool", "tools", "topic", "write", "written"}
)

#: Words of a request rather than of its topic ("please tell me the main findings of ..."):
#: they neither make a question unknown to the library nor pick its papers.
REQUEST_WORDS = DOCUMENT_WORDS | frozenset(
    {"across", "compare", "compared", "find", "findings", "give", "library", "main", "many", "much"}
    | {"methods", "name", "please", "result", "said", "says", "tell", "uses", "whether"}
)

#: Acronyms of the field or of a kind of data, not the name of one paper's method or data
#: ("LLM", "EEG"): they neither label a paper nor answer "which model ...?".
FIELD_ACRONYMS = frozenset(
    {"LLM", "LLMs", "LM", "LMs", "MLLM", "MLLMs", "VLM", "VLMs", "AI", "NLP", "DNN", "DNNs", "EEG", "RAG"}
    | {"COVID-19"}
)

#: Title words too common in any field's titles to say what a library is about.
TITLE_FILLER = frozenset(
    {"model", "models", "learning", "neural", "network", "networks", "deep", "via", "using", "based"}
    | {"towards", "toward", "approach", "method", "methods", "study", "analysis", "framework", "large"}
    | {"language", "data"}
)

#: Words that may open a sentence capitalised without starting a capitalised name
#: ("The Method ..." is not a name; "Large Language Models" is).
FUNCTION_WORDS = frozenset(
    {"the", "a", "an", "this", "these", "those", "their", "its", "in", "on", "for", "with", "when", "by"}
)

#: Prepositions that link phrases: a comma before them is style, so two words across one
#: are still "apart" for the recombination check.
PHRASE_LINKS = frozenset(
    {"without", "within", "across", "via", "using", "through", "despite", "toward", "towards", "over"}
    | {"under", "between", "among", "per", "versus", "vs", "while", "whereas"}
)

#: Counts written as words, with their value: "six domain experts" holds the figure 6
#: ("one" is left out: "one of the" is not a count).
_COUNTS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve") + (
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)
NUMBER_WORDS = {w: str(i) for i, w in enumerate(_COUNTS, 2)} | {
    "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000",
}  # fmt: skip

#: First-person words of an abstract and how a quote says them of the authors.
FIRST_TO_THIRD_PERSON = {"our": "their", "us": "them", "ours": "theirs", "ourselves": "themselves"}

#: Abbreviations papers write with a full stop that does not end the sentence, beyond the
#: general English ones pySBD knows ("Tab. 2", "Eqs. 3-4", "cf. Smith", "approx. 3").
SCIENTIFIC_ABBREVIATIONS = (
    "tab", "tabs", "eq", "eqs", "figs", "secs", "refs", "approx", "resp", "cf", "incl", "ca", "wrt", "thm",
    "lem", "def", "prop", "alg", "app", "appx", "ch", "chap", "para", "sup", "suppl", "supp", "est",
)  # fmt: skip

#: Stopwords a yes/no claim turns on: "Is the lexicon the same for all languages?" asks about
#: "same" and "all"; a sentence without them does not settle it.
CLAIM_WORDS = frozenset(
    {"same", "more", "most", "less", "least", "only", "all", "other", "different", "few", "very", "both"}
    | {"each", "before", "after", "above", "below", "against", "over", "under", "again", "further", "too"}
)

#: Abbreviations a field writes without defining them, with what they stand for. Kept short:
#: an abbreviation a text defines ("Markov chain Monte Carlo (MCMC)") or spells with the
#: initials of its words ("deep neural network") needs no entry.
COMMON_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "AI": ("artificial intelligence",),
    "ML": ("machine learning",),
    "RL": ("reinforcement learning",),
    "NLP": ("natural language processing",),
    "CV": ("computer vision",),
    "NN": ("neural network",),
    "DNN": ("deep neural network", "deep network"),
    "CNN": ("convolutional neural network", "convolutional network", "convolution"),
    "RNN": ("recurrent neural network", "recurrent network", "recurrent"),
    "LSTM": ("long short-term memory", "long short term memory"),
    "GAN": ("generative adversarial network", "adversarial network"),
    "VAE": ("variational autoencoder", "variational auto-encoder"),
    "GNN": ("graph neural network",),
    "MLP": ("multilayer perceptron", "multi-layer perceptron"),
    "SGD": ("stochastic gradient descent", "stochastic gradient"),
    "MDP": ("markov decision process",),
    "LM": ("language model",),
    "LLM": ("large language model",),
    "QA": ("question answering",),
    "MT": ("machine translation",),
    "NMT": ("neural machine translation",),
    "ASR": ("speech recognition",),
    "TTS": ("text-to-speech", "text to speech", "speech synthesis"),
    "PCA": ("principal component analysis", "principal components"),
    "SOTA": ("state-of-the-art", "state of the art"),
    "KL": ("kullback-leibler", "kullback leibler"),
    "PGD": ("projected gradient descent",),
    "FP16": ("half precision", "half-precision", "16-bit floating point"),
}

#: Latin and Greek plurals of the sciences, read as their singular before stemming (Snowball
#: keeps "corpora" apart from "corpus"). Only nouns that are no verb form: "analyses" and
#: "diagnoses" are left out.
IRREGULAR_PLURALS = {
    "corpora": "corpus", "criteria": "criterion", "phenomena": "phenomenon", "hypotheses": "hypothesis",
    "theses": "thesis", "syntheses": "synthesis", "indices": "index", "matrices": "matrix",
    "vertices": "vertex", "appendices": "appendix", "schemata": "schema", "stimuli": "stimulus",
    "nuclei": "nucleus", "loci": "locus", "radii": "radius", "axes": "axis", "bacteria": "bacterium",
    "taxa": "taxon", "genera": "genus", "mice": "mouse", "lemmata": "lemma", "automata": "automaton",
    "optima": "optimum", "minima": "minimum", "maxima": "maximum", "spectra": "spectrum",
    "fungi": "fungus", "larvae": "larva", "formulae": "formula", "vertebrae": "vertebra",
}  # fmt: skip

#: What a data set is counted in: "25k tweets", "1,000 annotated sentences", "85 hours".
DATA_UNITS = frozenset(
    {
        "sentence", "document", "tweet", "example", "instance", "sample", "utterance", "article",
        "record", "pair", "item", "dialogue", "dialog", "conversation", "image", "word", "token",
        "hour", "minute", "review", "post", "comment", "question", "answer", "message", "abstract",
        "paper", "text", "entry", "triple", "tuple", "query", "summary", "turn", "speaker", "clip",
        "video", "recording", "page", "thread", "story", "news", "case", "note", "report", "patient",
        "user", "claim", "annotation", "label",
    }
)  # fmt: skip
