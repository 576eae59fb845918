"""paperqa's web UI: `python app_gradio.py` (same as `paperqa app`).

Starts on http://127.0.0.1:7860 with the library in $PAPERQA_HOME and the
embedded models. The UI itself is `paperqa.interfaces.app`; this file only launches it.
"""

from paperqa.interfaces.app import launch

if __name__ == "__main__":
    launch()
