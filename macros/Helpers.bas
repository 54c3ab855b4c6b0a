Attribute VB_Name = "Helpers"
' What the buttons and the cell functions share. Option Private Module keeps these out of
' Excel's macro list and function wizard.
' Vietnamese text is written with \uXXXX escapes (decoded by Viet) to keep this file ASCII.
Option Explicit
Option Private Module

Public Const XLWINGS_ADDIN As String = "xlwings.xlam"
Public Const FOLDER_NAME As String = "CCHC_THU_MUC"

' The Python statement a button runs: a function of cchc_xl.excel, which works on the calling workbook.
Public Function PythonCall(ByVal functionName As String) As String
    PythonCall = "import cchc_xl.excel; cchc_xl.excel." & functionName & "()"
End Function

' Run a button's Python function through the xlwings add-in. False when it could not be started;
' the user has then been told why.
Public Function RunPythonButton(ByVal functionName As String, ByVal title As String) As Boolean
    If Not AddinReady() Then
        ShowMessage MissingAddinMessage(), title, MB_ICONERROR
        Exit Function
    End If
    On Error GoTo Failed
    Application.Run "'" & XLWINGS_ADDIN & "'!RunPython", PythonCall(functionName)
    RunPythonButton = True
    Exit Function
Failed:
    ShowMessage Viet("Kh\u00F4ng ch\u1EA1y \u0111\u01B0\u1EE3c Python: ") & Err.Description & vbLf & vbLf _
        & Viet("Ki\u1EC3m tra l\u1EA1i b\u1EB1ng l\u1EC7nh cchc-xl excel-setup --check (xem H\u01B0\u1EDBng d\u1EABn, ph\u1EA7n S\u1EF1 c\u1ED1), r\u1ED3i b\u1EA5m l\u1EA1i."), title, MB_ICONERROR
End Function

' Ask for the folder of the units' files and put it where Python reads it. False when the user
' cancels or the workbook has no folder cell (the user has then been told).
Public Function ChooseFolder(ByVal title As String) As Boolean
    Dim folder As String
    If Not AddinReady() Then
        ShowMessage MissingAddinMessage(), title, MB_ICONERROR
        Exit Function
    End If
    With Application.FileDialog(4) ' msoFileDialogFolderPicker
        .Title = Viet("Ch\u1ECDn th\u01B0 m\u1EE5c ch\u1EE9a c\u00E1c t\u1EC7p Ph\u1EE5 l\u1EE5c c\u1EE7a c\u00E1c \u0111\u01A1n v\u1ECB")
        .AllowMultiSelect = False
        If .Show = -1 Then folder = .SelectedItems(1)
    End With
    If folder = "" Then Exit Function
    If Not WriteFolder(folder) Then
        ShowMessage Viet("T\u1EC7p n\u00E0y kh\u00F4ng c\u00F3 \u00F4 t\u00EAn CCHC_THU_MUC \u0111\u1EC3 ghi th\u01B0 m\u1EE5c c\u1EA7n t\u1ED5ng h\u1EE3p. " _
            & "H\u00E3y d\u00F9ng t\u1EC7p CCHC-TongHop.xlsm."), title, MB_ICONERROR
        Exit Function
    End If
    ChooseFolder = True
End Function

' Put the chosen folder into the cell named CCHC_THU_MUC, where Python reads it. False when the
' workbook has no such name.
Public Function WriteFolder(ByVal folder As String) As Boolean
    On Error GoTo NoName
    ThisWorkbook.Names(FOLDER_NAME).RefersToRange.Value = folder
    WriteFolder = True
    Exit Function
NoName:
    WriteFolder = False
End Function

' True when the xlwings add-in is open in this Excel (cchc-xl excel-setup puts it in XLSTART).
Public Function AddinReady() As Boolean
    Dim addin As Object
    On Error Resume Next
    Set addin = Application.Workbooks(XLWINGS_ADDIN)
    AddinReady = Not (addin Is Nothing)
End Function

' What to install when the add-in is missing.
Public Function MissingAddinMessage() As String
    MissingAddinMessage = Viet( _
        "Ch\u01B0a c\u00E0i Python / xlwings tr\u00EAn m\u00E1y n\u00E0y, n\u00EAn n\u00FAt b\u1EA5m ch\u01B0a ch\u1EA1y \u0111\u01B0\u1EE3c." & vbLf & vbLf _
        & "C\u00E1ch c\u00E0i (l\u00E0m m\u1ED9t l\u1EA7n):" & vbLf _
        & "1. C\u00E0i Python 3.11 tr\u1EDF l\u00EAn t\u1EEB https://www.python.org (ch\u1ECDn ""Add python.exe to PATH"")." & vbLf _
        & "2. M\u1EDF Command Prompt (cmd), g\u00F5: pip install cchc-xl" & vbLf _
        & "3. G\u00F5 ti\u1EBFp: cchc-xl excel-setup" & vbLf _
        & "4. \u0110\u00F3ng h\u1EB3n Excel, m\u1EDF l\u1EA1i t\u1EC7p n\u00E0y, b\u1EA5m ""Enable Content"" (B\u1EADt n\u1ED9i dung) n\u1EBFu Excel h\u1ECFi." _
        & vbLf & vbLf _
        & "Ch\u01B0a c\u00E0i \u0111\u01B0\u1EE3c th\u00EC g\u1EEDi t\u1EC7p cho c\u00E1n b\u1ED9 ph\u1EE5 tr\u00E1ch CCHC \u0111\u1EC3 ki\u1EC3m tra b\u1EB1ng l\u1EC7nh cchc-xl.")
End Function

' Decode \uXXXX escapes (four hex digits) into the characters they stand for.
Public Function Viet(ByVal text As String) As String
    Dim position As Long, result As String
    position = 1
    Do While position <= Len(text)
        If Mid$(text, position, 2) = "\u" And position + 5 <= Len(text) Then
            result = result & ChrW(CLng("&H" & Mid$(text, position + 2, 4)))
            position = position + 6
        Else
            result = result & Mid$(text, position, 1)
            position = position + 1
        End If
    Loop
    Viet = result
End Function
