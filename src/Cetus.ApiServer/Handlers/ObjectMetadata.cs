using System.Security.Cryptography;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Errors;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Handlers;

/// <summary>What the server sets and checks in metadata, the same for every kind (kube-apiserver's BeforeCreate/BeforeUpdate).</summary>
internal static class ObjectMetadata
{
    // generateName suffixes use no vowels and no look-alike characters, as apimachinery's SimpleNameGenerator.
    private const string SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>Sets namespace, name (from generateName), uid, creationTimestamp and generation of a new object.</summary>
    public static void PrepareForCreate(ResourceDefinition definition, IKubernetesObject<V1ObjectMeta> item, string urlNamespace, DateTimeOffset now)
    {
        var metadata = item.Metadata;
        SetNamespace(definition, metadata, urlNamespace);
        if (string.IsNullOrEmpty(metadata.Name) && !string.IsNullOrEmpty(metadata.GenerateName))
        {
            metadata.Name = GenerateName(metadata.GenerateName);
        }

        CheckName(definition, metadata.Name ?? string.Empty, creating: true);
        metadata.Uid = Guid.NewGuid().ToString();
        metadata.CreationTimestamp = Truncate(now);
        metadata.ResourceVersion = null;
        metadata.DeletionTimestamp = null;
        metadata.DeletionGracePeriodSeconds = null;
        metadata.Generation = definition.Strategy.TracksGeneration ? 1 : null;
        metadata.SelfLink = null;
    }

    /// <summary><paramref name="prefix"/> and five random characters, as apimachinery's SimpleNameGenerator.</summary>
    public static string GenerateName(string prefix) =>
        prefix + string.Concat(Enumerable.Range(0, 5).Select(_ => SuffixAlphabet[RandomNumberGenerator.GetInt32(SuffixAlphabet.Length)]));

    /// <summary>Keeps what a client cannot change on update (uid, creation time, deletion state, namespace).</summary>
    public static void PrepareForUpdate(ResourceDefinition definition, IKubernetesObject<V1ObjectMeta> item, IKubernetesObject<V1ObjectMeta> old)
    {
        var metadata = item.Metadata;
        var before = old.Metadata;
        metadata.Uid = before.Uid;
        metadata.CreationTimestamp = before.CreationTimestamp;
        metadata.DeletionTimestamp = before.DeletionTimestamp;
        metadata.DeletionGracePeriodSeconds = before.DeletionGracePeriodSeconds;
        metadata.NamespaceProperty = before.NamespaceProperty;
        metadata.GenerateName ??= before.GenerateName;
        metadata.SelfLink = null;
        metadata.Generation = before.Generation;
        if (definition.Strategy.TracksGeneration && definition.Strategy.SpecChanged(item, old))
        {
            metadata.Generation = (before.Generation ?? 0) + 1;
        }
    }

    /// <summary>Namespace in the body and in the URL must agree; cluster-scoped objects have none.</summary>
    public static void SetNamespace(ResourceDefinition definition, V1ObjectMeta metadata, string urlNamespace)
    {
        if (!definition.Namespaced)
        {
            metadata.NamespaceProperty = null;
            return;
        }

        if (string.IsNullOrEmpty(metadata.NamespaceProperty))
        {
            metadata.NamespaceProperty = urlNamespace;
        }
        else if (metadata.NamespaceProperty != urlNamespace)
        {
            throw Problems.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    /// <summary>A name must be usable as a path segment; the kind's strategy checks its own format.</summary>
    public static void CheckName(ResourceDefinition definition, string name, bool creating)
    {
        if (name.Length == 0)
        {
            throw Problems.Invalid(definition.Group, definition.Kind, name, [new FieldError(FieldErrorType.FieldValueRequired, "metadata.name", creating ? "metadata.name: Required value: name or generateName is required" : "metadata.name: Required value: name is required")]);
        }

        if (name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('%', StringComparison.Ordinal))
        {
            throw Problems.Invalid(definition.Group, definition.Kind, name, [new FieldError(FieldErrorType.FieldValueInvalid, "metadata.name", $"metadata.name: Invalid value: \"{name}\": may not be '.' or '..' and may not contain '/' or '%'")]);
        }
    }

    /// <summary>
    /// Runs a strategy step. The model's values (quantities above all) are parsed when first read, so a malformed value
    /// a client sent can throw here: that is the client's error (400), not the server's.
    /// </summary>
    public static T Guard<T>(ResourceDefinition definition, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is ArithmeticException or FormatException or InvalidCastException or ArgumentException or InvalidOperationException or NotSupportedException or NullReferenceException or KeyNotFoundException)
        {
            throw Problems.BadRequest($"{definition.Kind} in version \"{definition.Version}\" cannot be handled as a {definition.Kind}: {e.Message}");
        }
    }

    /// <summary>Runs the kind's validation and answers 422 with every error.</summary>
    public static void ThrowIfInvalid(ResourceDefinition definition, string name, IReadOnlyList<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw Problems.Invalid(definition.Group, definition.Kind, name, errors);
        }
    }

    /// <summary>Timestamps are kept to the second, as Kubernetes' metav1.Time.</summary>
    public static DateTime Truncate(DateTimeOffset time) =>
        new(time.UtcDateTime.Ticks - (time.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
}
