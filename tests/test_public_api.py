import subprocess
import sys
import types

import paperqa


def test_all_matches_exports():
    public = {
        name
        for name, value in vars(paperqa).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public | {"__version__"} == set(paperqa.__all__)


def test_import_is_light():
    """Importing paperqa loads no model, opens no store and prints nothing."""
    code = (
        "import sys, paperqa; "
        "heavy = [m for m in ('llama_cpp', 'onnxruntime', 'chromadb', 'gradio') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and not out.stderr
