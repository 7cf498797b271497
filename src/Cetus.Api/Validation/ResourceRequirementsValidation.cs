using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>A container's resources: known names, non-negative quantities, requests within limits.</summary>
internal static class ResourceRequirementsValidation
{
    public static IEnumerable<FieldError> Container(V1ResourceRequirements? requirements, FieldPath path)
    {
        var errors = new List<FieldError>();
        if (requirements is null)
        {
            return errors;
        }

        var limits = requirements.Limits ?? new Dictionary<string, ResourceQuantity>();
        var requests = requirements.Requests ?? new Dictionary<string, ResourceQuantity>();
        var limitsPath = path.Child("limits");
        var requestsPath = path.Child("requests");
        var hasCpuOrMemory = false;
        var hasHugePages = false;
        foreach (var (name, quantity) in limits.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var itemPath = limitsPath.Key(name);
            errors.AddRange(ContainerResourceName(name, itemPath));
            errors.AddRange(QuantityValue(name, quantity, itemPath));
            errors.AddRange(HugePageValue(name, quantity, itemPath));
            hasHugePages |= ResourceNames.IsHugePages(name);
            hasCpuOrMemory |= name is ResourceNames.Cpu or ResourceNames.Memory;
        }

        foreach (var (name, quantity) in requests.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var itemPath = requestsPath.Key(name);
            errors.AddRange(ContainerResourceName(name, itemPath));
            errors.AddRange(QuantityValue(name, quantity, itemPath));
            if (limits.TryGetValue(name, out var limit))
            {
                var order = Quantities.Compare(quantity, limit);
                if (order != 0 && !ResourceNames.IsOvercommitAllowed(name))
                {
                    errors.Add(FieldErrors.Invalid(requestsPath, Quantities.Text(quantity), $"must be equal to {name} limit of {Quantities.Text(limit)}"));
                }
                else if (order > 0)
                {
                    errors.Add(FieldErrors.Invalid(requestsPath, Quantities.Text(quantity), $"must be less than or equal to {name} limit of {Quantities.Text(limit)}"));
                }
            }
            else if (!ResourceNames.IsOvercommitAllowed(name))
            {
                errors.Add(FieldErrors.Required(limitsPath, "Limit must be set for non overcommitable resources"));
            }

            errors.AddRange(HugePageValue(name, quantity, itemPath));
            hasHugePages |= ResourceNames.IsHugePages(name);
            hasCpuOrMemory |= name is ResourceNames.Cpu or ResourceNames.Memory;
        }

        if (hasHugePages && !hasCpuOrMemory)
        {
            errors.Add(FieldErrors.Forbidden(path, "HugePages require cpu or memory"));
        }

        return errors;
    }

    /// <summary>Non-negative, and whole for extended resources.</summary>
    public static IEnumerable<FieldError> QuantityValue(string name, ResourceQuantity quantity, FieldPath path)
    {
        if (quantity.ToDecimal() < 0)
        {
            yield return FieldErrors.Invalid(path, Quantities.Text(quantity), FieldErrors.NegativeDetail);
        }

        if (ResourceNames.IsExtended(name) && decimal.Truncate(quantity.ToDecimal()) != quantity.ToDecimal())
        {
            yield return FieldErrors.Invalid(path, Quantities.Text(quantity), "must be an integer");
        }
    }

    private static IEnumerable<FieldError> ContainerResourceName(string name, FieldPath path)
    {
        var errors = QualifiedNames.IsQualifiedName(name).Select(m => FieldErrors.Invalid(path, name, m)).ToList();
        if (errors.Count > 0)
        {
            return errors;
        }

        if (!name.Contains('/', StringComparison.Ordinal))
        {
            if (!ResourceNames.IsStandardResource(name))
            {
                errors.Add(FieldErrors.Invalid(path, name, "must be a standard resource type or fully qualified"));
            }

            if (!ResourceNames.IsStandardContainerResource(name))
            {
                errors.Add(FieldErrors.Invalid(path, name, "must be a standard resource for containers"));
            }
        }
        else if (!ResourceNames.IsNative(name) && !ResourceNames.IsExtended(name))
        {
            errors.Add(FieldErrors.Invalid(path, name, "doesn't follow extended resource name standard"));
        }

        return errors;
    }

    private static IEnumerable<FieldError> HugePageValue(string name, ResourceQuantity quantity, FieldPath path)
    {
        if (!ResourceNames.IsHugePages(name))
        {
            yield break;
        }

        ResourceQuantity? size = null;
        try
        {
            size = new ResourceQuantity(name[ResourceNames.HugePagesPrefix.Length..]);
        }
        catch (FormatException)
        {
        }

        var pageSize = size?.ToDecimal() ?? 0;
        if (pageSize <= 0 || quantity.ToDecimal() % pageSize != 0)
        {
            yield return FieldErrors.Invalid(path, Quantities.Text(quantity), $"{Quantities.Text(quantity)} is not positive integer multiple of {name}");
        }
    }
}
