Attribute VB_Name = "Messages"
' Message boxes that show Vietnamese. MsgBox shows only the system code page; MessageBoxW shows
' any text on Windows. Kept apart from the button procedures: LibreOffice's procedure scan reads
' "Declare PtrSafe Function" as the start of a function and would hide the procedures after it.
Option Explicit
Option Private Module

Public Const MB_ICONERROR As Long = 16

#If VBA7 Then
Private Declare PtrSafe Function MessageBoxW Lib "user32" (ByVal hWnd As LongPtr, ByVal lpText As LongPtr, _
    ByVal lpCaption As LongPtr, ByVal uType As Long) As Long
#Else
Private Declare Function MessageBoxW Lib "user32" (ByVal hWnd As Long, ByVal lpText As Long, _
    ByVal lpCaption As Long, ByVal uType As Long) As Long
#End If

' Show a message; returns the button pressed (1 = OK).
Public Function ShowMessage(ByVal text As String, ByVal title As String, ByVal icon As Long) As Long
#If Mac Then
    ShowMessage = MsgBox(text, icon, title)
#Else
    On Error GoTo Fallback
    ShowMessage = MessageBoxW(Application.hWnd, StrPtr(text), StrPtr(title), icon)
    Exit Function
Fallback:
    ShowMessage = MsgBox(text, icon, title)
#End If
End Function
