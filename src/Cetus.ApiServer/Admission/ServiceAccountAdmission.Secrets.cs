using k8s.Models;

namespace Cetus.ApiServer.Admission;

/// <summary>
/// The plugin's secret checks: what a mirror pod may not reference, and upstream's limitSecretReferences for service
/// accounts annotated <c>kubernetes.io/enforce-mountable-secrets: "true"</c> (deprecated upstream since 1.32, still
/// enforced).
/// </summary>
internal sealed partial class ServiceAccountAdmission
{
    // The first reference the service account does not allow, in upstream's words; null when all are allowed.
    private static string? MountableSecretsViolation(V1ServiceAccount account, V1Pod pod)
    {
        var name = account.Metadata.Name;
        var mountable = (account.Secrets ?? []).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var notReferenced = $"is not allowed because service account {name} does not reference that secret";
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            if (volume.Secret is { } secret && !mountable.Contains(secret.SecretName ?? string.Empty))
            {
                return $"volume with secret.secretName=\"{secret.SecretName}\" {notReferenced}";
            }
        }

        var containers = (pod.Spec.InitContainers ?? []).Select(c => ("init container", c)).Concat((pod.Spec.Containers ?? []).Select(c => ("container", c)));
        foreach (var (kind, container) in containers)
        {
            foreach (var env in container.Env ?? [])
            {
                if (env.ValueFrom?.SecretKeyRef?.Name is { } secret && !mountable.Contains(secret))
                {
                    return $"{kind} {container.Name} with envVar {env.Name} referencing secret.secretName=\"{secret}\" {notReferenced}";
                }
            }

            foreach (var from in container.EnvFrom ?? [])
            {
                if (from.SecretRef?.Name is { } secret && !mountable.Contains(secret))
                {
                    return $"{kind} {container.Name} with envFrom referencing secret.secretName=\"{secret}\" {notReferenced}";
                }
            }
        }

        var pullable = (account.ImagePullSecrets ?? []).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var pulls = pod.Spec.ImagePullSecrets ?? [];
        for (var i = 0; i < pulls.Count; i++)
        {
            if (!pullable.Contains(pulls[i].Name ?? string.Empty))
            {
                return $"imagePullSecrets[{i}].name=\"{pulls[i].Name}\" is not allowed because service account {name} does not reference that imagePullSecret";
            }
        }

        return null;
    }

    // Every secret the pod names (podutil.VisitPodSecretNames over all containers).
    private static IEnumerable<string> SecretsOf(V1Pod pod)
    {
        var spec = pod.Spec;
        var names = new List<string?>();
        names.AddRange((spec.ImagePullSecrets ?? []).Select(s => s.Name));
        foreach (var volume in spec.Volumes ?? [])
        {
            names.Add(volume.Secret?.SecretName);
            names.AddRange((volume.Projected?.Sources ?? []).Select(s => s.Secret?.Name));
            names.Add(volume.AzureFile?.SecretName);
            names.Add(volume.Cephfs?.SecretRef?.Name);
            names.Add(volume.Cinder?.SecretRef?.Name);
            names.Add(volume.FlexVolume?.SecretRef?.Name);
            names.Add(volume.Iscsi?.SecretRef?.Name);
            names.Add(volume.ScaleIO?.SecretRef?.Name);
            names.Add(volume.Storageos?.SecretRef?.Name);
            names.Add(volume.Rbd?.SecretRef?.Name);
            names.Add(volume.Csi?.NodePublishSecretRef?.Name);
        }

        var env = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).Select(c => (c.Env, c.EnvFrom))
            .Concat((spec.EphemeralContainers ?? []).Select(c => (c.Env, c.EnvFrom)));
        foreach (var (vars, froms) in env)
        {
            names.AddRange((vars ?? []).Select(v => v.ValueFrom?.SecretKeyRef?.Name));
            names.AddRange((froms ?? []).Select(f => f.SecretRef?.Name));
        }

        return names.Where(n => !string.IsNullOrEmpty(n))!;
    }
}
