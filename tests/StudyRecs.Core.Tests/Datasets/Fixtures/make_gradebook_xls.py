"""Writes gradebook.xls, the legacy-Excel (BIFF8) fixture of the dataset tests.

Run with Debian's python3-xlwt: /usr/bin/python3 make_gradebook_xls.py
Sheet 1 "Notes" is not a gradebook; sheet 2 "Grades" uses alias headers and holds
4 labelled rows and 1 current-term row. S002's Calculus attendance is stored as the
fraction 0.765 in a cell formatted as a percentage (shown as 76.5%), as Excel does.
"""
import xlwt

book = xlwt.Workbook(encoding="utf-8")
notes = book.add_sheet("Notes")
notes.write(0, 0, "Exported from the registry system")
grades = book.add_sheet("Grades")
headers = ["Student ID", "Semester", "Course", "Assignment", "Quiz", "Attendance %",
           "Midterm", "CGPA", "Final Marks", "Final Grade"]
rows = [
    ["S001", 1, "Calculus", 72.5, 64, 93, 58, 3.1, 71, "B"],
    ["S001", 1, "Data Structures", 80, 71.5, 97, 69, 3.1, 82, "A-"],
    ["S002", 1, "Calculus", 55, 48, ("percent", 0.765), 41, 2.4, 47, "D"],
    ["S002", 1, "Data Structures", 61, 59, 81, 52, 2.4, 58.5, "C"],
    ["S003", 2, "Calculus", 90, 88, 100, 91, 3.8, None, None],
]
for c, h in enumerate(headers):
    grades.write(0, c, h)
percent = xlwt.easyxf(num_format_str="0.0%")
for r, row in enumerate(rows, start=1):
    for c, v in enumerate(row):
        if isinstance(v, tuple):
            grades.write(r, c, v[1], percent)
        elif v is not None:
            grades.write(r, c, v)
book.save("gradebook.xls")
