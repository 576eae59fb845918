"""Reading files into `Paper` objects (one loader per format) and cutting abstracts into chunks."""
