"""Writing workbooks: the template and the roll-up (new files, XlsxWriter), the marked copy (openpyxl)."""
