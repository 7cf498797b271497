using System.Reflection;
using System.Text.Json;
using Cetus.Api.Json;
using k8s;
using k8s.Models;

namespace Cetus.Api.Scheme;

/// <summary>
/// The strategy every kind starts from: status is the server's (reset on create, kept on update of the main resource),
/// the spec is kept on a status update, no defaults, no validation beyond the API server's metadata checks.
/// A kind's own strategy derives from this and overrides what differs.
/// </summary>
/// <typeparam name="T">The model type.</typeparam>
public class ResourceStrategy<T> : IResourceStrategy
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private static readonly PropertyInfo? StatusProperty = typeof(T).GetProperty("Status");
    private static readonly PropertyInfo? SpecProperty = typeof(T).GetProperty("Spec");

    /// <summary>No errors.</summary>
    protected static readonly IReadOnlyList<FieldError> None = [];

    /// <inheritdoc />
    public virtual bool TracksGeneration => false;

    /// <inheritdoc />
    public void PrepareForCreate(object item) => PrepareForCreate((T)item);

    /// <inheritdoc />
    public void PrepareForUpdate(object item, object old) => PrepareForUpdate((T)item, (T)old);

    /// <inheritdoc />
    public void PrepareForStatusUpdate(object item, object old) => PrepareForStatusUpdate((T)item, (T)old);

    /// <inheritdoc />
    public void RecordRequester(object item, Requester requester) => RecordRequester((T)item, requester);

    /// <inheritdoc />
    public void PrepareForApprovalUpdate(object item, object old) => PrepareForApprovalUpdate((T)item, (T)old);

    /// <inheritdoc />
    public void Default(object item) => Default((T)item);

    /// <inheritdoc />
    public IReadOnlyList<FieldError> ValidateCreate(object item) => ValidateCreate((T)item);

    /// <inheritdoc />
    public IReadOnlyList<FieldError> ValidateUpdate(object item, object old) => ValidateUpdate((T)item, (T)old);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> SelectableFields(object item)
    {
        var typed = (T)item;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["metadata.name"] = typed.Metadata?.Name ?? string.Empty,
        };
        if (typed.Metadata?.NamespaceProperty is { } ns)
        {
            fields["metadata.namespace"] = ns;
        }

        AddSelectableFields(typed, fields);
        return fields;
    }

    /// <inheritdoc />
    public bool SpecChanged(object item, object old) => SpecChanged((T)item, (T)old);

    /// <summary>Resets status on create.</summary>
    protected virtual void PrepareForCreate(T item) => StatusProperty?.SetValue(item, null);

    /// <summary>Keeps the old status on an update of the main resource.</summary>
    protected virtual void PrepareForUpdate(T item, T old) => StatusProperty?.SetValue(item, StatusProperty.GetValue(old));

    /// <summary>Keeps the old spec on a status update (metadata is handled by the API server).</summary>
    protected virtual void PrepareForStatusUpdate(T item, T old) => SpecProperty?.SetValue(item, SpecProperty.GetValue(old));

    /// <summary>Records the creator: nothing for most kinds.</summary>
    protected virtual void RecordRequester(T item, Requester requester)
    {
    }

    /// <summary>An approval update: only CertificateSigningRequests have the subresource; the others keep everything.</summary>
    protected virtual void PrepareForApprovalUpdate(T item, T old) => PrepareForStatusUpdate(item, old);

    /// <summary>Fills in defaults.</summary>
    protected virtual void Default(T item)
    {
    }

    /// <summary>Validation on create.</summary>
    protected virtual IReadOnlyList<FieldError> ValidateCreate(T item) => None;

    /// <summary>Validation on update.</summary>
    protected virtual IReadOnlyList<FieldError> ValidateUpdate(T item, T old) => None;

    /// <summary>Adds the kind's own selectable fields.</summary>
    protected virtual void AddSelectableFields(T item, Dictionary<string, string> fields)
    {
    }

    /// <summary>Compares the specs as JSON.</summary>
    protected virtual bool SpecChanged(T item, T old)
    {
        if (SpecProperty is null)
        {
            return false;
        }

        var a = JsonSerializer.SerializeToUtf8Bytes(SpecProperty.GetValue(item), SpecProperty.PropertyType, KubeJson.Options);
        var b = JsonSerializer.SerializeToUtf8Bytes(SpecProperty.GetValue(old), SpecProperty.PropertyType, KubeJson.Options);
        return !a.AsSpan().SequenceEqual(b);
    }
}
