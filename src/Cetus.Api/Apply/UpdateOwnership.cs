using System.Text.Json.Nodes;

namespace Cetus.Api.Apply;

/// <summary>What a non-apply write does to managedFields (<see cref="ServerSideApply.RecordUpdateOwnership"/>).</summary>
/// <param name="ManagedFields">The entries to store, computed; null when no manager owns anything, or when
/// <paramref name="LiveOrder"/> is set.</param>
/// <param name="LiveOrder">When set, nobody's ownership changes: the entries to store are the live ones, in this order
/// (indexes into the live managedFields), the one at <paramref name="Retouched"/> with the write's time.</param>
/// <param name="Retouched">The index of the live entry that takes the write's time; -1 when none does.</param>
public sealed record UpdateOwnership(JsonArray? ManagedFields, IReadOnlyList<int>? LiveOrder, int Retouched);
