using System.Text;

namespace Cetus.ApiServer.Security;

/// <summary>
/// Reads CSV the way Go's encoding/csv does by default, which is what kube-apiserver's token file reader uses: comma
/// separated, double-quoted fields may hold commas, line breaks and doubled quotes, blank lines are skipped, a quote
/// inside an unquoted field is an error, and the number of fields may vary from record to record.
/// </summary>
internal static class CsvRecords
{
    /// <summary>The records of <paramref name="text"/>, each with the line it starts on.</summary>
    public static IEnumerable<(int Line, IReadOnlyList<string> Fields)> Read(string text)
    {
        var position = 0;
        var line = 1;
        while (position < text.Length)
        {
            if (text[position] is '\n' or '\r')
            {
                line += SkipLineBreak(text, ref position);
                continue;
            }

            var startLine = line;
            var fields = new List<string>();
            while (true)
            {
                var field = ReadField(text, ref position, ref line);
                fields.Add(field);
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    continue;
                }

                if (position < text.Length)
                {
                    line += SkipLineBreak(text, ref position);
                }

                break;
            }

            yield return (startLine, fields);
        }
    }

    private static string ReadField(string text, ref int position, ref int line)
    {
        var value = new StringBuilder();
        if (position < text.Length && text[position] == '"')
        {
            var startLine = line;
            position++;
            while (true)
            {
                if (position >= text.Length)
                {
                    throw new FormatException($"line {startLine}: extraneous or missing \" in quoted-field");
                }

                var c = text[position++];
                if (c == '"')
                {
                    if (position < text.Length && text[position] == '"')
                    {
                        value.Append('"');
                        position++;
                        continue;
                    }

                    if (position < text.Length && text[position] is not (',' or '\n' or '\r'))
                    {
                        throw new FormatException($"line {line}: extraneous or missing \" in quoted-field");
                    }

                    return value.ToString();
                }

                if (c == '\n')
                {
                    line++;
                }

                // Go folds \r\n inside a quoted field to \n.
                if (c == '\r' && position < text.Length && text[position] == '\n')
                {
                    continue;
                }

                value.Append(c);
            }
        }

        while (position < text.Length && text[position] is not (',' or '\n' or '\r'))
        {
            if (text[position] == '"')
            {
                throw new FormatException($"line {line}: bare \" in non-quoted-field");
            }

            value.Append(text[position++]);
        }

        return value.ToString();
    }

    private static int SkipLineBreak(string text, ref int position)
    {
        if (text[position] == '\r' && position + 1 < text.Length && text[position + 1] == '\n')
        {
            position++;
        }

        position++;
        return 1;
    }
}
