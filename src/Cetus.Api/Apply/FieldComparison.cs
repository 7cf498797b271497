namespace Cetus.Api.Apply;

/// <summary>What changed between two versions of an object, as structured-merge-diff's <c>typed.Comparison</c>.</summary>
/// <param name="Added">Paths present only in the new version (new objects and list items included, as their <c>.</c>).</param>
/// <param name="Modified">Leaves present in both whose values differ.</param>
/// <param name="Removed">Paths present only in the old version.</param>
internal sealed record FieldComparison(FieldSet Added, FieldSet Modified, FieldSet Removed)
{
    /// <summary>The paths a write sets: added or modified.</summary>
    public FieldSet Changed => Added.Union(Modified);
}
