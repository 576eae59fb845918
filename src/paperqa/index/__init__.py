"""The index: the embedders, the Chroma store (the only code that imports chromadb), bundled model files."""
