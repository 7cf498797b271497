namespace Cetus.Api.Selectors;

/// <summary>
/// A field selector: terms <c>field=value</c>, <c>field==value</c> and <c>field!=value</c> that must all hold
/// (fields.Selector). Which fields a kind supports is the API server's check, against <see cref="Requirements"/>.
/// </summary>
public sealed class FieldSelector
{
    private static readonly string[] Operators = ["!=", "==", "="];

    private readonly FieldRequirement[] _requirements;

    private FieldSelector(FieldRequirement[] requirements) => _requirements = requirements;

    /// <summary>The selector that matches every object.</summary>
    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The terms, sorted as upstream sorts them (by their text as written).</summary>
    public IReadOnlyList<FieldRequirement> Requirements => _requirements;

    /// <summary>True when the selector does not restrict anything.</summary>
    public bool IsEmpty => _requirements.Length == 0;

    /// <summary>
    /// Parses the string form of <c>?fieldSelector=</c>: comma-separated terms; in values, <c>\,</c> <c>\=</c> and
    /// <c>\\</c> stand for the character. Empty terms are skipped; null or empty is <see cref="Everything"/>.
    /// </summary>
    /// <exception cref="SelectorException">The selector does not parse; the message is kube-apiserver's.</exception>
    public static FieldSelector Parse(string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return Everything;
        }

        var terms = SplitTerms(selector);
        terms.Sort(StringComparer.Ordinal);
        var requirements = new List<FieldRequirement>(terms.Count);
        foreach (var term in terms)
        {
            if (term.Length == 0)
            {
                continue;
            }

            if (!TrySplitTerm(term, out var field, out var op, out var rawValue))
            {
                throw new SelectorException($"invalid selector: '{selector}'; can't understand '{term}'");
            }

            var value = FieldSelectorEscaping.Unescape(rawValue);
            requirements.Add(new FieldRequirement(field, op == "!=" ? SelectorOperator.NotEqual : SelectorOperator.Equal, value));
        }

        return new([.. requirements]);
    }

    /// <summary>Escapes <c>\</c>, <c>,</c> and <c>=</c> in a value, for building a selector string.</summary>
    public static string EscapeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return FieldSelectorEscaping.Escape(value);
    }

    /// <summary>True when every term holds for <paramref name="fields"/>; a field absent from it has the value "".</summary>
    public bool Matches(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var requirement in _requirements)
        {
            if (!requirement.Matches(fields))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when a term requires <paramref name="field"/> to equal one value (as for <c>metadata.name</c> or
    /// <c>spec.nodeName</c>), which an index or a direct get can serve.
    /// </summary>
    public bool TryGetExactMatch(string field, out string value)
    {
        foreach (var requirement in _requirements)
        {
            if (requirement.Operator == SelectorOperator.Equal && string.Equals(requirement.Field, field, StringComparison.Ordinal))
            {
                value = requirement.Value;
                return true;
            }
        }

        value = string.Empty;
        return false;
    }

    /// <summary>The selector as Kubernetes prints it: the terms comma-separated, values escaped.</summary>
    public override string ToString() => string.Join(",", _requirements.Select(r => r.ToString()));

    // Escaped commas stay inside their term, backslash included; unescaping is the value's business.
    private static List<string> SplitTerms(string selector)
    {
        var terms = new List<string>();
        var start = 0;
        var escaping = false;
        for (var i = 0; i < selector.Length; i++)
        {
            var c = selector[i];
            if (escaping)
            {
                escaping = false;
            }
            else if (c == '\\')
            {
                escaping = true;
            }
            else if (c == ',')
            {
                terms.Add(selector[start..i]);
                start = i + 1;
            }
        }

        terms.Add(selector[start..]);
        return terms;
    }

    // The first operator from the left splits the term: field names cannot be escaped, values can.
    private static bool TrySplitTerm(string term, out string field, out string op, out string value)
    {
        for (var i = 0; i < term.Length; i++)
        {
            foreach (var candidate in Operators)
            {
                if (term.AsSpan(i).StartsWith(candidate, StringComparison.Ordinal))
                {
                    field = term[..i];
                    op = candidate;
                    value = term[(i + candidate.Length)..];
                    return true;
                }
            }
        }

        field = op = value = string.Empty;
        return false;
    }
}
