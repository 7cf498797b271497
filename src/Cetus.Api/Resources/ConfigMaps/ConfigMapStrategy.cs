using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.ConfigMaps;

/// <summary>
/// ConfigMaps (pkg/registry/core/configmap): valid unique keys across data and binaryData, 1 MiB in all, nothing may
/// change once <c>immutable: true</c>.
/// </summary>
internal sealed class ConfigMapStrategy : ResourceStrategy<V1ConfigMap>
{
    /// <summary>The most bytes a ConfigMap's (or Secret's) values may take together.</summary>
    public const int MaxSize = 1024 * 1024;

    private const string ImmutableDetail = "field is immutable when `immutable` is set";

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1ConfigMap item) => Validate(item).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1ConfigMap item, V1ConfigMap old)
    {
        var errors = ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata).ToList();
        if (old.Immutable == true)
        {
            if (item.Immutable != true)
            {
                errors.Add(FieldErrors.Forbidden(FieldPath.Root("immutable"), ImmutableDetail));
            }

            if (!JsonEquality.Same(item.Data, old.Data))
            {
                errors.Add(FieldErrors.Forbidden(FieldPath.Root("data"), ImmutableDetail));
            }

            if (!JsonEquality.Same(item.BinaryData, old.BinaryData))
            {
                errors.Add(FieldErrors.Forbidden(FieldPath.Root("binaryData"), ImmutableDetail));
            }
        }

        return errors.Concat(Validate(item)).Distinct().ToList();
    }

    private static IEnumerable<FieldError> Validate(V1ConfigMap item)
    {
        var errors = ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, NameValidators.DnsSubdomain).ToList();
        long size = 0;
        foreach (var (key, value) in (item.Data ?? new Dictionary<string, string>()).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var path = FieldPath.Root("data").Key(key);
            errors.AddRange(ConfigMapKeys.Check(key).Select(m => FieldErrors.Invalid(path, key, m)));
            if (item.BinaryData?.ContainsKey(key) == true)
            {
                errors.Add(FieldErrors.Invalid(path, key, "duplicate of key present in binaryData"));
            }

            size += System.Text.Encoding.UTF8.GetByteCount(value ?? "");
        }

        foreach (var (key, value) in (item.BinaryData ?? new Dictionary<string, byte[]>()).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            errors.AddRange(ConfigMapKeys.Check(key).Select(m => FieldErrors.Invalid(FieldPath.Root("binaryData").Key(key), key, m)));
            size += value?.Length ?? 0;
        }

        if (size > MaxSize)
        {
            // Upstream names no field: the whole object is too big.
            errors.Add(FieldErrors.TooLong(FieldPath.Root(""), MaxSize));
        }

        return errors;
    }
}
