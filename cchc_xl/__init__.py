"""cchc-xl: the Phụ lục of the periodic administrative-reform (CCHC) report, as an Excel template,
checks (Kiểm tra) and a roll-up (Tổng hợp) of the units' workbooks."""

__version__ = "0.1.0"
