namespace Cetus.Api.Validation;

/// <summary>
/// A field path as Kubernetes prints it: children joined by dots, list indexes and map keys in brackets
/// (<c>spec.containers[0].image</c>, <c>spec.containers[0].resources.limits[cpu]</c>).
/// </summary>
public sealed class FieldPath
{
    private readonly string _text;

    private FieldPath(string text) => _text = text;

    /// <summary>
    /// A path of one field, e.g. <c>metadata</c> or <c>spec</c>. An empty name, which names the whole object, prints
    /// as <c>[]</c>, as Go's field.Path does.
    /// </summary>
    public static FieldPath Root(string name) => new(name.Length == 0 ? "[]" : name);

    /// <summary>The path of a field below this one; several names go down several levels.</summary>
    public FieldPath Child(string name, params string[] more)
    {
        var text = _text + "." + name;
        foreach (var next in more)
        {
            text += "." + next;
        }

        return new FieldPath(text);
    }

    /// <summary>The path of a list item.</summary>
    public FieldPath Index(int index) => new($"{_text}[{index}]");

    /// <summary>The path of a map entry.</summary>
    public FieldPath Key(string key) => new($"{_text}[{key}]");

    /// <inheritdoc />
    public override string ToString() => _text;
}
