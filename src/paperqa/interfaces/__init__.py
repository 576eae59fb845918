"""What users and programs touch: the CLI, the Gradio app, the HTTP server, LangChain runnables."""
