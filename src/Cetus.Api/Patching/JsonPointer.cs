namespace Cetus.Api.Patching;

/// <summary>JSON pointers (RFC 6901) as JSON patch paths use them.</summary>
internal static class JsonPointer
{
    /// <summary>The reference tokens of a pointer, unescaped (<c>~1</c> is <c>/</c>, <c>~0</c> is <c>~</c>); null unless it starts with <c>/</c>.</summary>
    public static string[]? Tokens(string pointer)
    {
        if (!pointer.StartsWith('/'))
        {
            return null;
        }

        var tokens = pointer[1..].Split('/');
        for (var i = 0; i < tokens.Length; i++)
        {
            // "~1" first, so "~01" decodes to "~1" as the RFC requires.
            tokens[i] = tokens[i].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        }

        return tokens;
    }
}
