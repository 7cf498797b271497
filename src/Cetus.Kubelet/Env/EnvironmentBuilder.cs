using System.Text;
using System.Text.RegularExpressions;
using Cetus.Kubelet.Api;
using Cetus.Kubelet.Pods;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Kubelet.Env;

/// <summary>
/// A container's environment (Kubernetes' kubelet makeEnvironmentVariables): envFrom sources first (config maps and
/// secrets, with their prefix; keys that are not valid variable names are skipped), then env in order, a later name
/// replacing an earlier one. Values expand <c>$(VAR)</c> of the variables defined before them; valueFrom reads the
/// downward API, resources, config map and secret keys. A missing non-optional config map, secret or key is a
/// <see cref="ContainerConfigException"/> (reason CreateContainerConfigError). Service-link variables
/// (<see cref="ServiceLinks"/>) come after, those env or envFrom define left out; <c>$(VAR)</c> sees them; until the
/// services have been listed once the container waits (as upstream). Without a service lister (hollow nodes) none are made.
/// </summary>
public sealed partial class EnvironmentBuilder(IPodObjectReader? client, IServiceLister? services = null)
{
    /// <summary>The variables, in order (names unique).</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> BuildAsync(PodFacts facts, V1Container container, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(container);
        var ns = facts.Pod.Metadata.NamespaceProperty;
        var serviceEnv = ServiceEnvironment(ns, facts.Pod.Spec?.EnableServiceLinks != false);
        var env = new OrderedEnv();
        var configMaps = new Dictionary<string, V1ConfigMap?>();
        var secrets = new Dictionary<string, V1Secret?>();

        foreach (var source in container.EnvFrom ?? [])
        {
            var prefix = source.Prefix ?? string.Empty;
            if (source.ConfigMapRef is { } cmRef)
            {
                var configMap = await ConfigMapAsync(ns, cmRef.Name, configMaps, cancellationToken).ConfigureAwait(false);
                if (configMap is null)
                {
                    if (cmRef.Optional == true)
                    {
                        continue;
                    }

                    throw new ContainerConfigException($"configmap \"{cmRef.Name}\" not found");
                }

                foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
                {
                    AddChecked(env, prefix + key, value);
                }
            }
            else if (source.SecretRef is { } secretRef)
            {
                var secret = await SecretAsync(ns, secretRef.Name, secrets, cancellationToken).ConfigureAwait(false);
                if (secret is null)
                {
                    if (secretRef.Optional == true)
                    {
                        continue;
                    }

                    throw new ContainerConfigException($"secret \"{secretRef.Name}\" not found");
                }

                foreach (var (key, value) in secret.Data ?? new Dictionary<string, byte[]>())
                {
                    AddChecked(env, prefix + key, Encoding.UTF8.GetString(value));
                }
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            string value;
            if (variable.ValueFrom is not { } from)
            {
                value = Expansion.Expand(variable.Value ?? string.Empty, name => env.Get(name) ?? serviceEnv.GetValueOrDefault(name));
            }
            else if (from.FieldRef is { } fieldRef)
            {
                value = FieldRefs.Field(facts, fieldRef.FieldPath);
            }
            else if (from.ResourceFieldRef is { } resourceRef)
            {
                value = FieldRefs.Resource(facts, string.IsNullOrEmpty(resourceRef.ContainerName) ? container.Name : resourceRef.ContainerName, resourceRef.Resource, resourceRef.Divisor);
            }
            else if (from.ConfigMapKeyRef is { } cmKey)
            {
                var configMap = await ConfigMapAsync(ns, cmKey.Name, configMaps, cancellationToken).ConfigureAwait(false);
                string? found = null;
                if (configMap is null && cmKey.Optional != true)
                {
                    throw new ContainerConfigException($"configmap \"{cmKey.Name}\" not found");
                }

                if (configMap is not null && configMap.Data?.TryGetValue(cmKey.Key, out found) != true && cmKey.Optional != true)
                {
                    throw new ContainerConfigException($"couldn't find key {cmKey.Key} in ConfigMap {ns}/{cmKey.Name}");
                }

                if (found is null)
                {
                    // Optional and missing: the variable is not set at all.
                    continue;
                }

                value = found;
            }
            else if (from.SecretKeyRef is { } secretKey)
            {
                var secret = await SecretAsync(ns, secretKey.Name, secrets, cancellationToken).ConfigureAwait(false);
                byte[]? found = null;
                if (secret is null && secretKey.Optional != true)
                {
                    throw new ContainerConfigException($"secret \"{secretKey.Name}\" not found");
                }

                if (secret is not null && secret.Data?.TryGetValue(secretKey.Key, out found) != true && secretKey.Optional != true)
                {
                    throw new ContainerConfigException($"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name}");
                }

                if (found is null)
                {
                    continue;
                }

                value = Encoding.UTF8.GetString(found);
            }
            else
            {
                value = string.Empty;
            }

            env.Set(variable.Name, value);
        }

        foreach (var (name, value) in serviceEnv.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (env.Get(name) is null)
            {
                env.Set(name, value);
            }
        }

        return env.Items;
    }

    private Dictionary<string, string> ServiceEnvironment(string ns, bool enableServiceLinks)
    {
        if (services is null)
        {
            return [];
        }

        if (!services.HasSynced)
        {
            throw new ContainerConfigException("services have not yet been read at least once, cannot construct envvars");
        }

        return ServiceLinks.ForPod(services.List(), ns, enableServiceLinks);
    }

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvVarName();

    private static void AddChecked(OrderedEnv env, string name, string value)
    {
        // As the kubelet: keys that are not valid variable names are skipped (it records an event).
        if (EnvVarName().IsMatch(name))
        {
            env.Set(name, value);
        }
    }

    private async Task<V1ConfigMap?> ConfigMapAsync(string ns, string name, Dictionary<string, V1ConfigMap?> cache, CancellationToken cancellationToken)
    {
        if (!cache.TryGetValue(name, out var configMap))
        {
            try
            {
                configMap = client is null ? null : await client.GetConfigMapAsync(ns, name, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e)
            {
                // Forbidden, unavailable…: the container waits, and the next sync asks again.
                throw new ContainerConfigException($"couldn't get configMap {ns}/{name}: {e.Message}", e);
            }

            cache[name] = configMap;
        }

        return configMap;
    }

    private async Task<V1Secret?> SecretAsync(string ns, string name, Dictionary<string, V1Secret?> cache, CancellationToken cancellationToken)
    {
        if (!cache.TryGetValue(name, out var secret))
        {
            try
            {
                secret = client is null ? null : await client.GetSecretAsync(ns, name, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e)
            {
                throw new ContainerConfigException($"couldn't get secret {ns}/{name}: {e.Message}", e);
            }

            cache[name] = secret;
        }

        return secret;
    }

    // Variables in first-definition order; a redefinition replaces the value in place.
    private sealed class OrderedEnv
    {
        private readonly List<KeyValuePair<string, string>> _items = [];
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public IReadOnlyList<KeyValuePair<string, string>> Items => _items;

        public string? Get(string name) => _index.TryGetValue(name, out var i) ? _items[i].Value : null;

        public void Set(string name, string value)
        {
            if (_index.TryGetValue(name, out var i))
            {
                _items[i] = new(name, value);
            }
            else
            {
                _index[name] = _items.Count;
                _items.Add(new(name, value));
            }
        }
    }
}
