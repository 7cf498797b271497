using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>Containers and init containers of a pod spec.</summary>
internal static class ContainerValidation
{
    private static readonly IReadOnlyList<string> PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly IReadOnlyList<string> MessagePolicies = ["File", "FallbackToLogsOnError"];
    private const string InitOnly = "may not be set for init containers without restartPolicy=Always";

    /// <summary>The regular containers: at least one, unique names, probes and hooks, no restartPolicy.</summary>
    public static IEnumerable<FieldError> Containers(IList<V1Container>? containers, IReadOnlyDictionary<string, V1Volume> volumes, long? gracePeriod, FieldPath path)
    {
        var errors = new List<FieldError>();
        if ((containers?.Count ?? 0) == 0)
        {
            errors.Add(FieldErrors.Required(path));
            return errors;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < containers!.Count; i++)
        {
            var container = containers[i];
            var itemPath = path.Index(i);
            errors.AddRange(Common(container, volumes, itemPath));
            if (!names.Add(container.Name ?? ""))
            {
                errors.Add(FieldErrors.Duplicate(itemPath.Child("name"), container.Name ?? ""));
            }

            errors.AddRange(HooksAndProbes(container, gracePeriod, itemPath));
            if (container.RestartPolicy is not null)
            {
                errors.Add(FieldErrors.Forbidden(itemPath.Child("restartPolicy"), "may not be set for non-init containers"));
            }
        }

        errors.AddRange(ContainerPortValidation.HostPortConflicts(containers.Select((c, i) => (c, i)), path));
        return errors;
    }

    /// <summary>
    /// The init containers: names unique among all containers; only sidecars (<c>restartPolicy: Always</c>) may have
    /// probes and hooks.
    /// </summary>
    public static IEnumerable<FieldError> InitContainers(
        IList<V1Container>? containers, IList<V1Container>? regular, IReadOnlyDictionary<string, V1Volume> volumes, long? gracePeriod, FieldPath path)
    {
        var errors = new List<FieldError>();
        var names = new HashSet<string>((regular ?? []).Select(c => c.Name ?? ""), StringComparer.Ordinal);
        for (var i = 0; i < (containers?.Count ?? 0); i++)
        {
            var container = containers![i];
            var itemPath = path.Index(i);
            errors.AddRange(Common(container, volumes, itemPath));
            var sidecar = false;
            if (container.RestartPolicy is not null)
            {
                if (container.RestartPolicy != "Always")
                {
                    errors.Add(FieldErrors.NotSupported(itemPath.Child("restartPolicy"), container.RestartPolicy, ["Always"]));
                }

                sidecar = container.RestartPolicy == "Always";
            }

            if (names.Contains(container.Name ?? ""))
            {
                errors.Add(FieldErrors.Duplicate(itemPath.Child("name"), container.Name ?? ""));
            }
            else if (!string.IsNullOrEmpty(container.Name))
            {
                names.Add(container.Name);
            }

            // Init containers run one at a time, so only ports within one of them can clash.
            errors.AddRange(ContainerPortValidation.HostPortConflicts([(container, i)], path));
            if (sidecar)
            {
                errors.AddRange(HooksAndProbes(container, gracePeriod, itemPath));
                continue;
            }

            foreach (var (field, value) in new (string, object?)[]
            {
                ("lifecycle", container.Lifecycle), ("livenessProbe", container.LivenessProbe),
                ("readinessProbe", container.ReadinessProbe), ("startupProbe", container.StartupProbe),
            })
            {
                if (value is not null)
                {
                    errors.Add(FieldErrors.Forbidden(itemPath.Child(field), InitOnly));
                }
            }
        }

        return errors;
    }

    /// <summary>What every kind of container must satisfy: name, image, ports, env, mounts, pull policy, resources.</summary>
    private static IEnumerable<FieldError> Common(V1Container container, IReadOnlyDictionary<string, V1Volume> volumes, FieldPath path)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(container.Name))
        {
            errors.Add(FieldErrors.Required(path.Child("name")));
        }
        else
        {
            errors.AddRange(DnsNames.IsDns1123Label(container.Name).Select(m => FieldErrors.Invalid(path.Child("name"), container.Name, m)));
        }

        if (string.IsNullOrEmpty(container.Image))
        {
            errors.Add(FieldErrors.Required(path.Child("image")));
        }

        errors.AddRange(OneOf(container.TerminationMessagePolicy, MessagePolicies, path.Child("terminationMessagePolicy")));
        errors.AddRange(ContainerPortValidation.Ports(container.Ports, path.Child("ports")));
        errors.AddRange(EnvValidation.Env(container.Env, path.Child("env")));
        errors.AddRange(EnvValidation.EnvFrom(container.EnvFrom, path.Child("envFrom")));
        errors.AddRange(VolumeMountValidation.Mounts(container, volumes, path.Child("volumeMounts")));
        errors.AddRange(OneOf(container.ImagePullPolicy, PullPolicies, path.Child("imagePullPolicy")));
        errors.AddRange(ResourceRequirementsValidation.Container(container.Resources, path.Child("resources")));
        errors.AddRange(SecurityContextValidation.Container(container.SecurityContext, path.Child("securityContext")));
        return errors;
    }

    private static IEnumerable<FieldError> HooksAndProbes(V1Container container, long? gracePeriod, FieldPath path)
    {
        var errors = new List<FieldError>();
        if (container.Lifecycle is not null)
        {
            errors.AddRange(ProbeValidation.Lifecycle(container.Lifecycle, gracePeriod, path.Child("lifecycle")));
        }

        errors.AddRange(ProbeValidation.Liveness(container.LivenessProbe, gracePeriod, path.Child("livenessProbe")));
        errors.AddRange(ProbeValidation.Readiness(container.ReadinessProbe, gracePeriod, path.Child("readinessProbe")));
        errors.AddRange(ProbeValidation.Startup(container.StartupProbe, gracePeriod, path.Child("startupProbe")));
        return errors;
    }

    /// <summary>Required, and one of <paramref name="supported"/>.</summary>
    public static IEnumerable<FieldError> OneOf(string? value, IReadOnlyList<string> supported, FieldPath path)
    {
        if (string.IsNullOrEmpty(value))
        {
            yield return FieldErrors.Required(path);
        }
        else if (!supported.Contains(value))
        {
            yield return FieldErrors.NotSupported(path, value, supported);
        }
    }
}
