namespace Cetus.ApiServer.Http;

/// <summary>Parses a query string keeping names exactly as sent (case-sensitive), values percent-decoded.</summary>
internal static class QueryParameters
{
    public static ILookup<string, string> Parse(string? query)
    {
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in (query ?? string.Empty).TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? string.Empty : part[(equals + 1)..];
            pairs.Add((Decode(name), Decode(value)));
        }

        return pairs.ToLookup(p => p.Name, p => p.Value, StringComparer.Ordinal);
    }

    private static string Decode(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return text;
        }
    }
}
