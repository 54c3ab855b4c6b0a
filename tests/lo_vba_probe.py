"""Run by LibreOffice's Python (python3-uno) from tests/test_lo_macro.py; not a test module.

Usage: python3 lo_vba_probe.py PORT REQUEST.json
REQUEST: {"files": [{"path": ..., "calls": [[script, [args...]], ...], "resolve": [script, ...],
                     "named_cell": name or null}]}
Prints one JSON object: per file the VBA modules LibreOffice imported, each call's result (or
its error), whether each "resolve" script exists (looked up, not run), the value of the named
cell after the calls, and the form controls of the first sheet with the events bound to them.
"""

import json
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

ALWAYS_EXECUTE_NO_WARN = 4


def prop(name, value):
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def connect(port):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 90
    while True:
        try:
            return resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.3)


def script_url(name):
    return f"vnd.sun.star.script:VBAProject.{name}?language=Basic&location=document"


def probe(desktop, request):
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(request["path"]), "_blank", 0,
                                       (prop("Hidden", True), prop("MacroExecutionMode", ALWAYS_EXECUTE_NO_WARN)))
    try:
        libraries = doc.BasicLibraries
        modules = list(libraries.getByName("VBAProject").getElementNames()) if libraries.hasByName("VBAProject") else []
        provider = doc.getScriptProvider()
        calls = []
        for name, args in request["calls"]:
            try:
                result = provider.getScript(script_url(name)).invoke(tuple(args), (), ())[0]
                calls.append({"script": name, "result": result})
            except Exception as exc:
                calls.append({"script": name, "error": f"{type(exc).__name__}: {exc}"})
        resolved = {}
        for name in request.get("resolve", []):
            try:
                provider.getScript(script_url(name))
                resolved[name] = True
            except Exception:
                resolved[name] = False
        named = None
        if request.get("named_cell") and doc.NamedRanges.hasByName(request["named_cell"]):
            named = doc.NamedRanges.getByName(request["named_cell"]).getReferredCells().getCellByPosition(0, 0).getString()
        controls = []
        forms = doc.Sheets.getByIndex(0).DrawPage.Forms
        for form_index in range(forms.Count):
            form = forms.getByIndex(form_index)
            for index in range(form.Count):
                events = [[e.ListenerType, e.EventMethod, e.ScriptCode] for e in form.getScriptEvents(index)]
                controls.append({"label": form.getByIndex(index).Label, "events": events})
        return {"modules": modules, "calls": calls, "resolved": resolved, "named_cell": named, "controls": controls}
    finally:
        doc.close(True)


def main():
    port, request_path = sys.argv[1], sys.argv[2]
    with open(request_path, encoding="utf-8") as handle:
        request = json.load(handle)
    context = connect(port)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    try:
        results = [probe(desktop, item) for item in request["files"]]
    finally:
        try:
            desktop.terminate()
        except Exception:  # the office closes the connection while terminating
            pass
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
