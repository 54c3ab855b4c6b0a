Attribute VB_Name = "CCHC"
' The buttons of the cchc-xl workbooks. The work is done in Python (cchc_xl.excel) through the
' xlwings add-in, called by name so that this project has no reference to it: without the
' add-in the buttons still open and say what to install.
' Vietnamese text is written with \uXXXX escapes (decoded by Viet) to keep this file ASCII.
' Only the buttons' Subs are here; the helpers are in modules hidden from Excel's lists.
Option Explicit

' Button "Kiem tra": check the form in this workbook.
Public Sub KiemTra()
    RunPythonButton "import cchc_xl.excel; cchc_xl.excel.kiem_tra()", Viet("CCHC - Ki\u1EC3m tra")
End Sub

' Button "Tong hop": pick the folder of the units' files, then merge them into this workbook.
Public Sub TongHop()
    Dim title As String, folder As String
    title = Viet("CCHC - T\u1ED5ng h\u1EE3p")
    If Not AddinReady() Then
        ShowMessage MissingAddinMessage(), title, MB_ICONERROR
        Exit Sub
    End If
    folder = PickFolder(Viet("Ch\u1ECDn th\u01B0 m\u1EE5c ch\u1EE9a c\u00E1c t\u1EC7p Ph\u1EE5 l\u1EE5c c\u1EE7a c\u00E1c \u0111\u01A1n v\u1ECB"))
    If folder = "" Then Exit Sub
    If Not WriteFolder(folder) Then
        ShowMessage Viet("T\u1EC7p n\u00E0y kh\u00F4ng c\u00F3 \u00F4 t\u00EAn CCHC_THU_MUC \u0111\u1EC3 ghi th\u01B0 m\u1EE5c c\u1EA7n t\u1ED5ng h\u1EE3p. " _
            & "H\u00E3y d\u00F9ng t\u1EC7p CCHC-TongHop.xlsm."), title, MB_ICONERROR
        Exit Sub
    End If
    RunPythonButton "import cchc_xl.excel; cchc_xl.excel.tong_hop()", title
End Sub

Private Sub RunPythonButton(ByVal command As String, ByVal title As String)
    If Not AddinReady() Then
        ShowMessage MissingAddinMessage(), title, MB_ICONERROR
        Exit Sub
    End If
    On Error GoTo Failed
    Application.Run "'" & XLWINGS_ADDIN & "'!RunPython", command
    Exit Sub
Failed:
    ShowMessage Viet("Kh\u00F4ng ch\u1EA1y \u0111\u01B0\u1EE3c Python: ") & Err.Description & vbLf & vbLf _
        & Viet("Ki\u1EC3m tra l\u1EA1i: pip install cchc-xl v\u00E0 xlwings addin install, r\u1ED3i b\u1EA5m l\u1EA1i."), title, MB_ICONERROR
End Sub

Private Function PickFolder(ByVal title As String) As String
    With Application.FileDialog(4) ' msoFileDialogFolderPicker
        .Title = title
        .AllowMultiSelect = False
        If .Show = -1 Then PickFolder = .SelectedItems(1)
    End With
End Function
