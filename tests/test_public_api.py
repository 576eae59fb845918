import subprocess
import sys
import types

import paperqa


def test_all_matches_exports():
    public = {
        name
        for name in dir(paperqa)
        if not name.startswith("_")
        and name not in ("TYPE_CHECKING", "Any")
        and not isinstance(getattr(paperqa, name), types.ModuleType)
    }
    assert public | {"__version__"} == set(paperqa.__all__)
    assert all(getattr(paperqa, name) is not None for name in paperqa.__all__)


def test_import_is_light():
    """Importing paperqa loads no model, opens no store and prints nothing."""
    code = (
        "import sys, paperqa; "
        "heavy = [m for m in ('llama_cpp', 'onnxruntime', 'chromadb', 'gradio', 'langchain_core') "
        "if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and not out.stderr
