using k8s.Models;

namespace Cetus.Api.Resources.Pods;

/// <summary>
/// The Secrets and ConfigMaps a pod uses (upstream's podutil.VisitPodSecretNames / VisitPodConfigmapNames): volumes
/// and projected sources, env valueFrom and envFrom of every container and init container, and, for Secrets, image
/// pull secrets. The node authorizer lets a node read exactly these; the kubelet watches exactly these.
/// </summary>
public static class PodReferences
{
    /// <summary>The names of the Secrets <paramref name="pod"/> uses (in its namespace).</summary>
    public static HashSet<string> Secrets(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var volume in pod.Spec?.Volumes ?? [])
        {
            Add(names, volume.Secret?.SecretName);
            foreach (var source in volume.Projected?.Sources ?? [])
            {
                Add(names, source.Secret?.Name);
            }
        }

        foreach (var secret in pod.Spec?.ImagePullSecrets ?? [])
        {
            Add(names, secret.Name);
        }

        foreach (var container in Containers(pod))
        {
            foreach (var from in container.EnvFrom ?? [])
            {
                Add(names, from.SecretRef?.Name);
            }

            foreach (var env in container.Env ?? [])
            {
                Add(names, env.ValueFrom?.SecretKeyRef?.Name);
            }
        }

        return names;
    }

    /// <summary>The names of the ConfigMaps <paramref name="pod"/> uses (in its namespace).</summary>
    public static HashSet<string> ConfigMaps(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var volume in pod.Spec?.Volumes ?? [])
        {
            Add(names, volume.ConfigMap?.Name);
            foreach (var source in volume.Projected?.Sources ?? [])
            {
                Add(names, source.ConfigMap?.Name);
            }
        }

        foreach (var container in Containers(pod))
        {
            foreach (var from in container.EnvFrom ?? [])
            {
                Add(names, from.ConfigMapRef?.Name);
            }

            foreach (var env in container.Env ?? [])
            {
                Add(names, env.ValueFrom?.ConfigMapKeyRef?.Name);
            }
        }

        return names;
    }

    private static IEnumerable<V1Container> Containers(V1Pod pod) =>
        (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers ?? []);

    private static void Add(HashSet<string> names, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            names.Add(name);
        }
    }
}
