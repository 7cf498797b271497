using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Pods;

/// <summary>
/// What a pod update may change (ValidatePodUpdate): images, activeDeadlineSeconds (set or lowered), added
/// tolerations, removed scheduling gates, a negative grace period set to 1; anything else is the big Forbidden error.
/// </summary>
internal static class PodUpdateValidation
{
    private static readonly FieldPath Spec = FieldPath.Root("spec");

    private static readonly string[] UpdatableFields =
    [
        "`spec.containers[*].image`",
        "`spec.initContainers[*].image`",
        "`spec.activeDeadlineSeconds`",
        "`spec.tolerations` (only additions to existing tolerations)",
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    ];

    public static IEnumerable<FieldError> Validate(V1Pod pod, V1Pod old)
    {
        var spec = pod.Spec ?? new V1PodSpec();
        var oldSpec = old.Spec ?? new V1PodSpec();
        var errors = new List<FieldError>();
        if (!Containers(spec.Containers, oldSpec.Containers, Spec.Child("containers"), errors) ||
            !Containers(spec.InitContainers, oldSpec.InitContainers, Spec.Child("initContainers"), errors))
        {
            return errors;
        }

        if (!ActiveDeadline(spec.ActiveDeadlineSeconds, oldSpec.ActiveDeadlineSeconds, errors))
        {
            return errors;
        }

        errors.AddRange(OnlyAddedTolerations(spec.Tolerations, oldSpec.Tolerations));
        errors.AddRange(OnlyDeletedGates(spec.SchedulingGates, oldSpec.SchedulingGates));
        if (JsonEquality.Same(spec, oldSpec))
        {
            return errors;
        }

        var munged = Munge(spec, oldSpec);
        if (!JsonEquality.Same(munged, oldSpec))
        {
            errors.Add(FieldErrors.Forbidden(Spec,
                "pod updates may not change fields other than " + string.Join(",", UpdatableFields) + "\n" + PodSpecDiff.Describe(oldSpec, munged)));
        }

        return errors;
    }

    /// <summary>The status rules of ValidatePodStatusUpdate that can fail once the spec is kept: QoS never changes, IPs parse.</summary>
    public static IEnumerable<FieldError> Status(V1Pod pod, V1Pod old)
    {
        var status = pod.Status ?? new V1PodStatus();
        var path = FieldPath.Root("status");
        if (status.NominatedNodeName != old.Status?.NominatedNodeName && !string.IsNullOrEmpty(status.NominatedNodeName))
        {
            foreach (var message in NameValidators.DnsSubdomain(status.NominatedNodeName, false))
            {
                yield return FieldErrors.Invalid(path.Child("nominatedNodeName"), status.NominatedNodeName, message);
            }
        }

        if ((status.QosClass ?? "") != (old.Status?.QosClass ?? ""))
        {
            yield return FieldErrors.Immutable(path.Child("qosClass"), status.QosClass ?? "");
        }

        for (var i = 0; i < (status.PodIPs?.Count ?? 0); i++)
        {
            foreach (var error in IpAddresses.CheckIp(path.Child("podIPs").Index(i), status.PodIPs![i].Ip ?? ""))
            {
                yield return error;
            }
        }

        if ((status.HostIPs?.Count ?? 0) > 0 && status.HostIPs![0].Ip != status.HostIP)
        {
            yield return FieldErrors.Invalid(path.Child("hostIPs").Index(0).Child("ip"), status.HostIPs[0].Ip ?? "", "must be equal to `hostIP`");
        }
    }

    // False when containers were added or removed: nothing else is worth saying then.
    private static bool Containers(IList<V1Container>? containers, IList<V1Container>? old, FieldPath path, List<FieldError> errors)
    {
        if ((containers?.Count ?? 0) != (old?.Count ?? 0))
        {
            errors.Add(FieldErrors.Forbidden(path, "pod updates may not add or remove containers"));
            return false;
        }

        for (var i = 0; i < (containers?.Count ?? 0); i++)
        {
            var image = containers![i].Image ?? "";
            if (image.Length == 0)
            {
                errors.Add(FieldErrors.Required(path.Index(i).Child("image")));
            }

            if (image.Trim().Length != image.Length)
            {
                errors.Add(FieldErrors.Invalid(path.Index(i).Child("image"), image, "must not have leading or trailing whitespace"));
            }
        }

        return true;
    }

    // It may be set, or lowered, never raised or removed.
    private static bool ActiveDeadline(long? value, long? old, List<FieldError> errors)
    {
        var path = Spec.Child("activeDeadlineSeconds");
        if (value is { } seconds)
        {
            if (seconds < 0 || seconds > int.MaxValue)
            {
                errors.Add(FieldErrors.Invalid(path, seconds, $"must be between 0 and {int.MaxValue}, inclusive"));
                return false;
            }

            if (old is { } previous && previous < seconds)
            {
                errors.Add(FieldErrors.Invalid(path, seconds, "must be less than or equal to previous value"));
                return false;
            }
        }
        else if (old is not null)
        {
            errors.Add(FieldErrors.Invalid(path, null, "must not update from a positive integer to nil value"));
        }

        return true;
    }

    private static IEnumerable<FieldError> OnlyAddedTolerations(IList<V1Toleration>? tolerations, IList<V1Toleration>? old)
    {
        var path = Spec.Child("tolerations");
        foreach (var previous in old ?? [])
        {
            var kept = (tolerations ?? []).Any(t => (t.Key ?? "") == (previous.Key ?? "") && (t.OperatorProperty ?? "") == (previous.OperatorProperty ?? "") &&
                (t.Value ?? "") == (previous.Value ?? "") && (t.Effect ?? "") == (previous.Effect ?? ""));
            if (!kept)
            {
                return [FieldErrors.Forbidden(path, "existing toleration can not be modified except its tolerationSeconds")];
            }
        }

        return TolerationValidation.Tolerations(tolerations, path);
    }

    private static IEnumerable<FieldError> OnlyDeletedGates(IList<V1PodSchedulingGate>? gates, IList<V1PodSchedulingGate>? old)
    {
        var previous = new HashSet<string>((old ?? []).Select(g => g.Name ?? ""), StringComparer.Ordinal);
        for (var i = 0; i < (gates?.Count ?? 0); i++)
        {
            var name = gates![i].Name ?? "";
            if (!previous.Contains(name))
            {
                yield return FieldErrors.Forbidden(Spec.Child("schedulingGates").Index(i).Child("name"), $"only deletion is allowed, but found new scheduling gate '{name}'");
            }
        }
    }

    // The new spec with every field that may change put back to its old value: what remains different is forbidden.
    private static V1PodSpec Munge(V1PodSpec spec, V1PodSpec old)
    {
        var munged = JsonEquality.Clone(spec);
        for (var i = 0; i < (munged.Containers?.Count ?? 0); i++)
        {
            munged.Containers![i].Image = old.Containers![i].Image;
        }

        for (var i = 0; i < (munged.InitContainers?.Count ?? 0); i++)
        {
            munged.InitContainers![i].Image = old.InitContainers![i].Image;
        }

        munged.ActiveDeadlineSeconds = old.ActiveDeadlineSeconds;
        munged.SchedulingGates = old.SchedulingGates;
        munged.Tolerations = old.Tolerations;
        if (old.TerminationGracePeriodSeconds < 0 && munged.TerminationGracePeriodSeconds == 1)
        {
            munged.TerminationGracePeriodSeconds = old.TerminationGracePeriodSeconds;
        }

        // A pod still gated from scheduling may gain node selector entries (not lose or change them).
        if ((old.SchedulingGates?.Count ?? 0) > 0 && (old.NodeSelector ?? new Dictionary<string, string>()).All(e =>
            munged.NodeSelector is not null && munged.NodeSelector.TryGetValue(e.Key, out var value) && value == e.Value))
        {
            munged.NodeSelector = old.NodeSelector;
        }

        return munged;
    }
}
