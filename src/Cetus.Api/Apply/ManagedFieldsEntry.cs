namespace Cetus.Api.Apply;

/// <summary>One entry of <c>metadata.managedFields</c>, with its field set decoded.</summary>
/// <param name="Manager">The field manager's name.</param>
/// <param name="Operation"><c>Apply</c> or <c>Update</c>.</param>
/// <param name="ApiVersion">The apiVersion the field set is written in.</param>
/// <param name="Time">When the manager last changed its set, as stored (RFC 3339); kept verbatim when unchanged.</param>
/// <param name="Subresource">The subresource written through, empty for the main resource.</param>
/// <param name="Fields">The owned fields.</param>
internal sealed record ManagedFieldsEntry(string Manager, string Operation, string? ApiVersion, string? Time, string Subresource, FieldSet Fields)
{
    /// <summary>The operation of server-side apply.</summary>
    public const string Apply = "Apply";

    /// <summary>The operation of every other write.</summary>
    public const string Update = "Update";

    /// <summary>
    /// Whether both entries belong to the same manager identity: upstream keys Update entries by manager,
    /// operation, apiVersion and subresource, and Apply entries the same minus apiVersion, so that an applier
    /// keeps one entry whichever version it applies in.
    /// </summary>
    public bool SameIdentity(string manager, string operation, string? apiVersion, string subresource) =>
        Manager == manager && Operation == operation && Subresource == subresource
        && (operation == Apply || ApiVersion == apiVersion);
}
