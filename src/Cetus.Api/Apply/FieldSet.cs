namespace Cetus.Api.Apply;

/// <summary>
/// A set of field paths in the shape of structured-merge-diff's <c>fieldpath.Set</c>: a tree whose edges are
/// path elements written as FieldsV1 keys (<c>f:name</c>, <c>k:{"name":"app"}</c>, <c>v:"x"</c>) and whose
/// nodes are members when the path itself is in the set. Keeping the elements in their wire spelling makes
/// reading and writing managedFields a plain tree copy.
/// </summary>
internal sealed partial class FieldSet
{
    private readonly SortedDictionary<string, FieldSet> children = new(StringComparer.Ordinal);

    /// <summary>Whether the path that leads to this node is itself in the set.</summary>
    public bool IsMember { get; private set; }

    /// <summary>Whether neither this node nor any node below it is a member.</summary>
    public bool IsEmpty => !IsMember && children.Count == 0;

    /// <summary>Adds a path (and so every node on the way to it, as non-members).</summary>
    public void Insert(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var element in path)
        {
            if (!node.children.TryGetValue(element, out var child))
            {
                child = new FieldSet();
                node.children.Add(element, child);
            }

            node = child;
        }

        node.IsMember = true;
    }

    /// <summary>Removes one path; paths below it stay, and emptied nodes are dropped.</summary>
    public void Remove(IReadOnlyList<string> path) => Remove(path, 0);

    /// <summary>Whether this exact path is a member.</summary>
    public bool Contains(IReadOnlyList<string> path) => Find(path) is { IsMember: true };

    /// <summary>Whether the path or any path below it is a member: someone owns something there.</summary>
    public bool HasAnyAtOrBelow(IReadOnlyList<string> path) => Find(path) is { IsEmpty: false };

    /// <summary>Every member path, parents before children, in FieldsV1 order.</summary>
    public IEnumerable<IReadOnlyList<string>> Paths()
    {
        var prefix = new List<string>();
        return Walk(this, prefix);

        static IEnumerable<IReadOnlyList<string>> Walk(FieldSet node, List<string> prefix)
        {
            if (node.IsMember)
            {
                yield return prefix.ToArray();
            }

            foreach (var (element, child) in node.children)
            {
                prefix.Add(element);
                foreach (var path in Walk(child, prefix))
                {
                    yield return path;
                }

                prefix.RemoveAt(prefix.Count - 1);
            }
        }
    }

    /// <summary>The members of both sets.</summary>
    public FieldSet Union(FieldSet other)
    {
        var result = Copy();
        foreach (var path in other.Paths())
        {
            result.Insert(path);
        }

        return result;
    }

    /// <summary>The members of this set that are not members of <paramref name="other"/>.</summary>
    public FieldSet Difference(FieldSet other)
    {
        var result = new FieldSet();
        foreach (var path in Paths().Where(p => !other.Contains(p)))
        {
            result.Insert(path);
        }

        return result;
    }

    /// <summary>The members of this set that are also members of <paramref name="other"/>.</summary>
    public FieldSet Intersection(FieldSet other)
    {
        var result = new FieldSet();
        foreach (var path in Paths().Where(other.Contains))
        {
            result.Insert(path);
        }

        return result;
    }

    /// <summary>A copy that later changes to either set do not affect.</summary>
    public FieldSet Copy()
    {
        var result = new FieldSet();
        foreach (var path in Paths())
        {
            result.Insert(path);
        }

        return result;
    }

    /// <summary>Whether both sets have the same members.</summary>
    public bool SetEquals(FieldSet other) => Difference(other).IsEmpty && other.Difference(this).IsEmpty;

    private FieldSet? Find(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var element in path)
        {
            if (!node.children.TryGetValue(element, out node))
            {
                return null;
            }
        }

        return node;
    }

    private void Remove(IReadOnlyList<string> path, int depth)
    {
        if (depth == path.Count)
        {
            IsMember = false;
            return;
        }

        if (children.TryGetValue(path[depth], out var child))
        {
            child.Remove(path, depth + 1);
            if (child.IsEmpty)
            {
                children.Remove(path[depth]);
            }
        }
    }
}
