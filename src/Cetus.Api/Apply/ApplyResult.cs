namespace Cetus.Api.Apply;

/// <summary>The outcome of a server-side apply.</summary>
/// <param name="Object">The new object with its managedFields; null when the apply conflicts.</param>
/// <param name="Conflicts">The conflicts that stopped the apply; empty on success.</param>
public sealed record ApplyResult(System.Text.Json.Nodes.JsonObject? Object, IReadOnlyList<ApplyConflict> Conflicts)
{
    /// <summary>Whether the apply was refused because other managers own fields it changes.</summary>
    public bool HasConflicts => Conflicts.Count > 0;
}
