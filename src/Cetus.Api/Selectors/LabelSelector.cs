namespace Cetus.Api.Selectors;

/// <summary>Stand-in until the full selector parser lands: equality requirements only.</summary>
public sealed class LabelSelector
{
    private readonly List<(string Key, string Value, bool Equal)> _requirements = [];

    /// <summary>True when it matches everything.</summary>
    public bool IsEmpty => _requirements.Count == 0;

    /// <summary>Parses a selector.</summary>
    public static LabelSelector Parse(string text)
    {
        var selector = new LabelSelector();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var not = part.Split("!=");
            var eq = part.Split('=', 2);
            if (not.Length == 2)
            {
                selector._requirements.Add((not[0], not[1], false));
            }
            else if (eq.Length == 2)
            {
                selector._requirements.Add((eq[0], eq[1].TrimStart('='), true));
            }
            else
            {
                throw new SelectorException($"unable to parse requirement: {part}");
            }
        }

        return selector;
    }

    /// <summary>True when the labels satisfy every requirement.</summary>
    public bool Matches(IDictionary<string, string>? labels) =>
        _requirements.All(r => (labels is not null && labels.TryGetValue(r.Key, out var v) && v == r.Value) == r.Equal);
}

/// <summary>A selector that does not parse.</summary>
public sealed class SelectorException(string message) : Exception(message);
