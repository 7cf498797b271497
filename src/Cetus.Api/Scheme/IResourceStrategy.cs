namespace Cetus.Api.Scheme;

/// <summary>
/// What is particular to one kind on create and update: defaulting, validation, what the server resets, and the
/// fields a field selector may use. The API server calls these in the order Kubernetes' registry does: prepare,
/// default, validate.
/// </summary>
public interface IResourceStrategy
{
    /// <summary>Resets what a client may not set on create (for most kinds: status).</summary>
    void PrepareForCreate(object item);

    /// <summary>On an update of the main resource: keeps what it may not change (status) from <paramref name="old"/>.</summary>
    void PrepareForUpdate(object item, object old);

    /// <summary>On an update of the status subresource: keeps everything but status from <paramref name="old"/>.</summary>
    void PrepareForStatusUpdate(object item, object old);

    /// <summary>On create, after <see cref="PrepareForCreate"/>: records who asked, for kinds that keep it (a CSR's spec.username, groups, uid, extra).</summary>
    void RecordRequester(object item, Requester requester);

    /// <summary>On an update of the approval subresource (CertificateSigningRequests): keeps everything but the conditions from <paramref name="old"/>.</summary>
    void PrepareForApprovalUpdate(object item, object old);

    /// <summary>Fills in defaults, as Kubernetes' SetDefaults_* functions do.</summary>
    void Default(object item);

    /// <summary>Validation on create.</summary>
    IReadOnlyList<FieldError> ValidateCreate(object item);

    /// <summary>Validation on update, including immutable fields.</summary>
    IReadOnlyList<FieldError> ValidateUpdate(object item, object old);

    /// <summary>
    /// The fields a field selector on this kind may name, with their values (always metadata.name and
    /// metadata.namespace, plus the kind's own, e.g. spec.nodeName and status.phase for pods).
    /// </summary>
    IReadOnlyDictionary<string, string> SelectableFields(object item);

    /// <summary>True for kinds whose metadata.generation counts spec changes (set to 1 on create).</summary>
    bool TracksGeneration { get; }

    /// <summary>True when the update changed the spec (or what counts as it): metadata.generation is then bumped.</summary>
    bool SpecChanged(object item, object old);
}
