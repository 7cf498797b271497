namespace Cetus.Api.Validation;

/// <summary>
/// A field path as Kubernetes prints it: children joined by dots, list indexes and map keys in brackets
/// (<c>spec.containers[0].image</c>, <c>spec.containers[0].resources.limits[cpu]</c>).
/// </summary>
public sealed class FieldPath
{
    // Built only when printed: validation makes a path for every field it looks at, and prints the few that fail.
    private readonly FieldPath? _parent;
    private readonly string? _name;
    private readonly string? _key;
    private readonly int _index;
    private string? _text;

    private FieldPath(FieldPath? parent, string? name, string? key, int index)
    {
        _parent = parent;
        _name = name;
        _key = key;
        _index = index;
    }

    /// <summary>
    /// A path of one field, e.g. <c>metadata</c> or <c>spec</c>. An empty name, which names the whole object, prints
    /// as <c>[]</c>, as Go's field.Path does.
    /// </summary>
    public static FieldPath Root(string name) => new(null, name.Length == 0 ? "[]" : name, null, -1);

    /// <summary>The path of a field below this one; several names go down several levels.</summary>
    public FieldPath Child(string name, params string[] more)
    {
        var path = new FieldPath(this, name, null, -1);
        foreach (var next in more)
        {
            path = new FieldPath(path, next, null, -1);
        }

        return path;
    }

    /// <summary>The path of a list item.</summary>
    public FieldPath Index(int index) => new(this, null, null, index);

    /// <summary>The path of a map entry.</summary>
    public FieldPath Key(string key) => new(this, null, key, -1);

    /// <inheritdoc />
    public override string ToString() => _text ??= Build();

    private string Build()
    {
        if (_parent is null)
        {
            return _name!;
        }

        var parent = _parent.ToString();
        return _name is not null ? $"{parent}.{_name}"
            : _key is not null ? $"{parent}[{_key}]"
            : $"{parent}[{_index.ToString(System.Globalization.CultureInfo.InvariantCulture)}]";
    }
}
