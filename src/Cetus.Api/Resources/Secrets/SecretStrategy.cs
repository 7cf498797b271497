using System.Text;
using Cetus.Api.Resources.ConfigMaps;
using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Secrets;

/// <summary>
/// Secrets (pkg/registry/core/secret): type Opaque by default and fixed once set, stringData folded into data, valid
/// keys, 1 MiB of data, the keys each type requires, nothing may change once <c>immutable: true</c>.
/// </summary>
internal sealed class SecretStrategy : ResourceStrategy<V1Secret>
{
    private const string ImmutableDetail = "field is immutable when `immutable` is set";

    /// <inheritdoc />
    protected override void Default(V1Secret item)
    {
        if (string.IsNullOrEmpty(item.Type))
        {
            item.Type = "Opaque";
        }

        // stringData is write-only: its entries overwrite data's when the Secret is read in.
        if (item.StringData is { Count: > 0 } strings)
        {
            var data = item.Data ??= new Dictionary<string, byte[]>();
            foreach (var (key, value) in strings)
            {
                data[key] = Encoding.UTF8.GetBytes(value ?? "");
            }
        }

        item.StringData = null;
    }

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1Secret item) => Validate(item).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1Secret item, V1Secret old)
    {
        var errors = ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata).ToList();
        if ((item.Type ?? "") != (old.Type ?? ""))
        {
            errors.Add(FieldErrors.Immutable(FieldPath.Root("type"), item.Type ?? ""));
        }

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
        }

        return errors.Concat(Validate(item)).Distinct().ToList();
    }

    /// <inheritdoc />
    protected override void AddSelectableFields(V1Secret item, Dictionary<string, string> fields) => fields["type"] = item.Type ?? "";

    private static IEnumerable<FieldError> Validate(V1Secret item)
    {
        var errors = ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, NameValidators.DnsSubdomain).ToList();
        long size = 0;
        foreach (var (key, value) in (item.Data ?? new Dictionary<string, byte[]>()).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            errors.AddRange(ConfigMapKeys.Check(key).Select(m => FieldErrors.Invalid(FieldPath.Root("data").Key(key), key, m)));
            size += value?.Length ?? 0;
        }

        if (size > ConfigMapStrategy.MaxSize)
        {
            errors.Add(FieldErrors.TooLong(FieldPath.Root("data"), ConfigMapStrategy.MaxSize));
        }

        errors.AddRange(SecretTypeValidation.Validate(item));
        return errors;
    }
}
