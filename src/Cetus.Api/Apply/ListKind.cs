namespace Cetus.Api.Apply;

/// <summary>How structured-merge-diff treats a list: its <c>x-kubernetes-list-type</c>.</summary>
internal enum ListKind
{
    /// <summary>Owned and replaced whole (no patch strategy, or items without their key).</summary>
    Atomic,

    /// <summary>Items identified by their merge key (<c>k:{...}</c>) and owned one by one.</summary>
    Map,

    /// <summary>Primitive items identified by their value (<c>v:...</c>) and owned one by one.</summary>
    Set,
}
