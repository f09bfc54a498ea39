using System.Globalization;
using System.IO.Compression;
using System.Xml;

namespace StudyRecs.Core.Datasets.Generation;

/// <summary>
/// Writes a minimal, valid single-sheet SpreadsheetML (.xlsx) package, streaming rows straight into the zip.
/// Numbers become numeric cells; text becomes inline strings, which a spreadsheet never evaluates as formulas.
/// </summary>
public static class SimpleXlsxWriter
{
    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private static readonly DateTimeOffset FixedTime = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <param name="rows">Cells are <see cref="double"/>, <see cref="int"/>, <see cref="string"/> or null (empty).</param>
    public static void Write(Stream output, string sheetName, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<object?>> rows)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        WriteText(zip, "[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>
            """);
        WriteText(zip, "_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """);
        WriteText(zip, "xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>
            """);
        using (var workbook = Xml(zip, "xl/workbook.xml"))
        {
            workbook.WriteStartElement("workbook", MainNs);
            workbook.WriteAttributeString("xmlns", "r", null, RelNs);
            workbook.WriteStartElement("sheets", MainNs);
            workbook.WriteStartElement("sheet", MainNs);
            workbook.WriteAttributeString("name", sheetName);
            workbook.WriteAttributeString("sheetId", "1");
            workbook.WriteAttributeString("id", RelNs, "rId1");
            workbook.WriteEndElement();
            workbook.WriteEndElement();
            workbook.WriteEndElement();
        }

        using var sheet = Xml(zip, "xl/worksheets/sheet1.xml");
        sheet.WriteStartElement("worksheet", MainNs);
        sheet.WriteStartElement("sheetData", MainNs);
        var rowNumber = 1;
        WriteRow(sheet, rowNumber++, headers.Cast<object?>().ToArray());
        foreach (var row in rows)
        {
            WriteRow(sheet, rowNumber++, row);
        }

        sheet.WriteEndElement();
        sheet.WriteEndElement();
    }

    private static void WriteRow(XmlWriter xml, int rowNumber, IReadOnlyList<object?> cells)
    {
        var r = rowNumber.ToString(CultureInfo.InvariantCulture);
        xml.WriteStartElement("row", MainNs);
        xml.WriteAttributeString("r", r);
        for (var i = 0; i < cells.Count; i++)
        {
            var value = cells[i];
            if (value is null)
            {
                continue;
            }

            xml.WriteStartElement("c", MainNs);
            xml.WriteAttributeString("r", ColumnName(i) + r);
            switch (value)
            {
                case double d:
                    xml.WriteElementString("v", MainNs, d.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case int n:
                    xml.WriteElementString("v", MainNs, n.ToString(CultureInfo.InvariantCulture));
                    break;
                default:
                    xml.WriteAttributeString("t", "inlineStr");
                    xml.WriteStartElement("is", MainNs);
                    xml.WriteElementString("t", MainNs, Convert.ToString(value, CultureInfo.InvariantCulture));
                    xml.WriteEndElement();
                    break;
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    /// <summary>Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA.</summary>
    public static string ColumnName(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + ((n - 1) % 26)) + name;
        }

        return name;
    }

    private static void WriteText(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(Entry(zip, name).Open(), new System.Text.UTF8Encoding(false));
        writer.Write(content);
    }

    private static XmlWriter Xml(ZipArchive zip, string name) =>
        XmlWriter.Create(Entry(zip, name).Open(), new XmlWriterSettings { Encoding = new System.Text.UTF8Encoding(false), CloseOutput = true });

    private static ZipArchiveEntry Entry(ZipArchive zip, string name)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        entry.LastWriteTime = FixedTime;
        return entry;
    }
}
