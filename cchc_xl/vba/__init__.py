"""A VBA project written from source text: [MS-OVBA] compression and records inside an [MS-CFB] file.

The project carries no compiled p-code (_VBA_PROJECT version 0xFFFF), so Excel compiles the
modules from their source when the workbook is opened.
"""
