"""Read: which sentences of the sources answer (evidence selection and its ranking models),
and the reader, which says whether a passage answers and which words do."""
