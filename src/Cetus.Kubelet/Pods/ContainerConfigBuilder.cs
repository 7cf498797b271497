using System.Globalization;
using Cetus.Cri.V1;
using Cetus.Kubelet.Env;
using Cetus.Kubelet.Volumes;
using k8s.Models;

namespace Cetus.Kubelet.Pods;

/// <summary>The files the kubelet mounts into every container besides its volumes.</summary>
/// <param name="HostsFile">The pod's managed hosts file (mounted at /etc/hosts), or null (hostNetwork, or the pod IP is not known).</param>
/// <param name="ContainersDirectory">ROOT/pods/UID/containers: termination message files go under NAME/.</param>
/// <param name="Materialized">False on simulated nodes: no files or directories are made, paths are nominal.</param>
public sealed record PodFiles(string? HostsFile, string ContainersDirectory, bool Materialized);

/// <summary>
/// A container's ContainerConfig (Kubernetes' generateContainerConfig and makeMounts): command and args with
/// <c>$(VAR)</c> expanded, env, volume mounts (subPath and subPathExpr, read-only, propagation), /etc/hosts, the
/// termination message file, resources and the security context; labels and annotations the kubelet reads back.
/// Errors are <see cref="ContainerConfigException"/>s (CreateContainerConfigError).
/// </summary>
public static class ContainerConfigBuilder
{
    /// <summary>The default terminationMessagePath.</summary>
    public const string DefaultTerminationMessagePath = "/dev/termination-log";

    /// <summary>Builds the config.</summary>
    public static ContainerConfig Build(V1Pod pod, V1Container container, string kind, uint attempt, IReadOnlyList<KeyValuePair<string, string>> env, IReadOnlyDictionary<string, PodVolume> volumes, PodFiles files)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(files);
        var lookup = env.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        string? Lookup(string name) => lookup.TryGetValue(name, out var value) ? value : null;
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = container.Name, Attempt = attempt },
            Image = new ImageSpec { Image = container.Image },
            Command = { (container.Command ?? []).Select(c => Expansion.Expand(c, Lookup)) },
            Args = { (container.Args ?? []).Select(a => Expansion.Expand(a, Lookup)) },
            WorkingDir = container.WorkingDir ?? string.Empty,
            Envs = { env.Select(e => new KeyValue { Key = e.Key, Value = e.Value }) },
            Mounts = { Mounts(pod, container, attempt, lookup, volumes, files) },
            Labels =
            {
                [CriLabels.PodName] = pod.Metadata.Name,
                [CriLabels.PodNamespace] = pod.Metadata.NamespaceProperty,
                [CriLabels.PodUid] = pod.Metadata.Uid,
                [CriLabels.ContainerName] = container.Name,
                [CriLabels.ContainerKind] = kind,
            },
            Annotations =
            {
                ["io.kubernetes.container.restartCount"] = attempt.ToString(CultureInfo.InvariantCulture),
                [TerminationMessages.PolicyAnnotation] = container.TerminationMessagePolicy ?? "File",
            },
            LogPath = $"{container.Name}/{attempt}.log",
            Stdin = container.Stdin ?? false,
            StdinOnce = container.StdinOnce ?? false,
            Tty = container.Tty ?? false,
            Linux = new LinuxContainerConfig
            {
                Resources = ContainerResources.For(container),
                SecurityContext = SecurityContexts.Container(pod, container),
            },
        };
        var terminationPath = container.TerminationMessagePath ?? DefaultTerminationMessagePath;
        if (terminationPath.Length > 0)
        {
            config.Annotations[TerminationMessages.PathAnnotation] = terminationPath;
        }

        return config;
    }

    private static List<Mount> Mounts(V1Pod pod, V1Container container, uint attempt, Dictionary<string, string> env, IReadOnlyDictionary<string, PodVolume> volumes, PodFiles files)
    {
        var mounts = new List<Mount>();
        var privileged = container.SecurityContext?.Privileged == true;
        foreach (var mount in container.VolumeMounts ?? [])
        {
            if (!volumes.TryGetValue(mount.Name, out var volume))
            {
                throw new ContainerConfigException($"cannot find volume \"{mount.Name}\" to mount into container \"{container.Name}\"");
            }

            var hostPath = volume.HostPath;
            var subPath = mount.SubPath ?? string.Empty;
            if (!string.IsNullOrEmpty(mount.SubPathExpr))
            {
                var missing = new SortedSet<string>(StringComparer.Ordinal);
                subPath = Expansion.Expand(mount.SubPathExpr, name =>
                {
                    if (env.TryGetValue(name, out var value) && value.Length > 0)
                    {
                        return value;
                    }

                    missing.Add(name);
                    return string.Empty;
                });
                if (missing.Count > 0)
                {
                    throw new ContainerConfigException($"missing value for {string.Join(", ", missing)}");
                }
            }

            if (subPath.Length > 0)
            {
                if (subPath.StartsWith('/'))
                {
                    throw new ContainerConfigException($"error SubPath `{subPath}` must not be an absolute path");
                }

                if (subPath.Split('/').Contains(".."))
                {
                    throw new ContainerConfigException($"unable to provision SubPath `{subPath}`: must not contain '..'");
                }

                hostPath = Path.Combine(hostPath, subPath);
                if (files.Materialized && !Path.Exists(hostPath))
                {
                    Directory.CreateDirectory(hostPath);
                }
            }

            var propagation = mount.MountPropagation switch
            {
                "HostToContainer" => MountPropagation.PropagationHostToContainer,
                "Bidirectional" => MountPropagation.PropagationBidirectional,
                _ => MountPropagation.PropagationPrivate,
            };
            if (propagation == MountPropagation.PropagationBidirectional && !privileged)
            {
                throw new ContainerConfigException("Bidirectional mount propagation is available only to privileged containers");
            }

            mounts.Add(new Mount
            {
                ContainerPath = mount.MountPath,
                HostPath = hostPath,
                Readonly = mount.ReadOnlyProperty == true || volume.ReadOnly,
                SelinuxRelabel = false,
                Propagation = propagation,
            });
        }

        if (files.HostsFile is { } hosts && pod.Spec.HostNetwork != true && mounts.All(m => m.ContainerPath != "/etc/hosts"))
        {
            mounts.Add(new Mount { ContainerPath = "/etc/hosts", HostPath = hosts });
        }

        var terminationPath = container.TerminationMessagePath ?? DefaultTerminationMessagePath;
        if (terminationPath.Length > 0)
        {
            // A new file for every attempt, writable by any user the container runs as.
            var dir = Path.Combine(files.ContainersDirectory, container.Name);
            var file = Path.Combine(dir, $"{attempt:D4}-{Random.Shared.Next():x8}");
            if (files.Materialized)
            {
                Directory.CreateDirectory(dir);
                using (File.Create(file))
                {
                }

                FileModes.Set(file, FileModes.Octal("666"));
            }

            mounts.Add(new Mount { ContainerPath = terminationPath, HostPath = file });
        }

        return mounts;
    }
}
