namespace Cetus.Api.Apply;

/// <summary>
/// A set of field paths in the shape of structured-merge-diff's <c>fieldpath.Set</c>: a tree whose edges are
/// path elements written as FieldsV1 keys (<c>f:name</c>, <c>k:{"name":"app"}</c>, <c>v:"x"</c>) and whose
/// nodes are members when the path itself is in the set. Keeping the elements in their wire spelling makes
/// reading and writing managedFields a plain tree copy.
/// </summary>
internal sealed partial class FieldSet
{
    // Shared by every node without children (most of them: the leaves) until one is added; never written to.
    private static readonly SortedDictionary<string, FieldSet> NoChildren = new(StringComparer.Ordinal);

    private SortedDictionary<string, FieldSet>? children;

    // Set by Freeze: the set is shared (FieldsV1Cache) and every change is refused.
    private bool frozen;

    /// <summary>Whether the path that leads to this node is itself in the set.</summary>
    public bool IsMember { get; private set; }

    /// <summary>Whether neither this node nor any node below it is a member.</summary>
    public bool IsEmpty => !IsMember && Children.Count == 0;

    // The children to read (the shared empty set when there are none) and to write (made on the first write).
    private SortedDictionary<string, FieldSet> Children => children ?? NoChildren;

    private SortedDictionary<string, FieldSet> OwnChildren => children ??= new(StringComparer.Ordinal);

    /// <summary>Makes this set and every node below it unchangeable (it may then be shared between threads); returns it.</summary>
    public FieldSet Freeze()
    {
        frozen = true;
        foreach (var child in Children.Values)
        {
            child.Freeze();
        }

        return this;
    }

    /// <summary>Adds a path (and so every node on the way to it, as non-members).</summary>
    public void Insert(IReadOnlyList<string> path)
    {
        ThrowIfFrozen();
        var node = this;
        foreach (var element in path)
        {
            if (!node.Children.TryGetValue(element, out var child))
            {
                child = new FieldSet();
                node.OwnChildren.Add(element, child);
            }

            node = child;
        }

        node.IsMember = true;
    }

    /// <summary>Removes one path; paths below it stay, and emptied nodes are dropped.</summary>
    public void Remove(IReadOnlyList<string> path)
    {
        ThrowIfFrozen();
        Remove(path, 0);
    }

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

            foreach (var (element, child) in node.Children)
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
        result.UnionWith(other);
        return result;
    }

    /// <summary>The members of this set that are not members of <paramref name="other"/>.</summary>
    public FieldSet Difference(FieldSet other) => DifferenceOf(this, other);

    /// <summary>The members of this set that are also members of <paramref name="other"/>.</summary>
    public FieldSet Intersection(FieldSet other) => IntersectionOf(this, other);

    /// <summary>A copy that later changes to either set do not affect.</summary>
    public FieldSet Copy()
    {
        var result = new FieldSet { IsMember = IsMember };
        foreach (var (element, child) in Children)
        {
            result.OwnChildren.Add(element, child.Copy());
        }

        return result;
    }

    // The set operations walk both trees together: a node is kept only when it or something below it is a member.
    private void UnionWith(FieldSet other)
    {
        IsMember |= other.IsMember;
        foreach (var (element, theirs) in other.Children)
        {
            if (Children.TryGetValue(element, out var mine))
            {
                mine.UnionWith(theirs);
            }
            else if (!theirs.IsEmpty)
            {
                OwnChildren.Add(element, theirs.Copy());
            }
        }
    }

    private static FieldSet DifferenceOf(FieldSet mine, FieldSet? theirs)
    {
        if (theirs is null)
        {
            return mine.Copy();
        }

        var result = new FieldSet { IsMember = mine.IsMember && !theirs.IsMember };
        foreach (var (element, child) in mine.Children)
        {
            var rest = DifferenceOf(child, theirs.Children.GetValueOrDefault(element));
            if (!rest.IsEmpty)
            {
                result.OwnChildren.Add(element, rest);
            }
        }

        return result;
    }

    private static FieldSet IntersectionOf(FieldSet mine, FieldSet theirs)
    {
        var result = new FieldSet { IsMember = mine.IsMember && theirs.IsMember };
        foreach (var (element, child) in mine.Children)
        {
            if (theirs.Children.TryGetValue(element, out var other) && IntersectionOf(child, other) is { IsEmpty: false } both)
            {
                result.OwnChildren.Add(element, both);
            }
        }

        return result;
    }

    /// <summary>Whether both sets have the same members.</summary>
    public bool SetEquals(FieldSet other) => Difference(other).IsEmpty && other.Difference(this).IsEmpty;

    private void ThrowIfFrozen()
    {
        if (frozen)
        {
            throw new InvalidOperationException("the field set is shared and cannot be changed: change a Copy()");
        }
    }

    private FieldSet? Find(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var element in path)
        {
            if (!node.Children.TryGetValue(element, out node))
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

        if (Children.TryGetValue(path[depth], out var child))
        {
            child.Remove(path, depth + 1);
            if (child.IsEmpty)
            {
                OwnChildren.Remove(path[depth]);
            }
        }
    }
}
