Attribute VB_Name = "CCHC"
' The buttons of the cchc-xl workbooks. The work is done in Python (cchc_xl.excel) through the
' xlwings add-in, called by name so that this project has no reference to it: without the
' add-in the buttons still open and say what to install.
' Only the buttons' Subs are here; the rest is in modules hidden from Excel's lists.
Option Explicit

' Button "Kiem tra": check the form in this workbook.
Public Sub KiemTra()
    RunPythonButton "kiem_tra", Viet("CCHC - Ki\u1EC3m tra")
End Sub

' Button "Tong hop": pick the folder of the units' files, then merge them into this workbook.
Public Sub TongHop()
    Dim title As String
    title = Viet("CCHC - T\u1ED5ng h\u1EE3p")
    If ChooseFolder(title) Then RunPythonButton "tong_hop", title
End Sub

' Button "Bao cao": the Word report of the roll-up in this workbook, written beside the workbook.
Public Sub BaoCao()
    RunPythonButton "bao_cao", Viet("CCHC - B\u00E1o c\u00E1o")
End Sub
