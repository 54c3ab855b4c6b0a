Attribute VB_Name = "Helpers"
' What the buttons and the cell functions share. Option Private Module keeps these out of
' Excel's macro list and function wizard.
Option Explicit
Option Private Module

Public Const XLWINGS_ADDIN As String = "xlwings.xlam"
Public Const FOLDER_NAME As String = "CCHC_THU_MUC"

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

' True when the xlwings add-in is open in this Excel (xlwings addin install puts it in XLSTART).
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
        & "3. G\u00F5 ti\u1EBFp: xlwings addin install" & vbLf _
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
