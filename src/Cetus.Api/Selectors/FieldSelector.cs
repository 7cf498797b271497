namespace Cetus.Api.Selectors;

/// <summary>Stand-in until the full selector parser lands.</summary>
public sealed class FieldSelector
{
    /// <summary>The requirements.</summary>
    public IReadOnlyList<(string Field, string Operator, string Value)> Requirements { get; private init; } = [];

    /// <summary>Parses a selector.</summary>
    public static FieldSelector Parse(string text) => new()
    {
        Requirements = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var not = part.Split("!=", 2);
            if (not.Length == 2)
            {
                return (not[0], "!=", not[1]);
            }

            var eq = part.Split('=', 2);
            return eq.Length == 2 ? (eq[0], "=", eq[1].TrimStart('=')) : throw new SelectorException($"invalid selector: '{text}'; can't understand '{part}'");
        }).ToList(),
    };

    /// <summary>True when the fields satisfy every requirement.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> fields) =>
        Requirements.All(r => (fields.GetValueOrDefault(r.Field) ?? string.Empty) == r.Value == (r.Operator == "="));
}
