using System.CommandLine;
using System.Globalization;
using System.Text;
using Cetus.ApiServer.Security;
using Cetus.Client.Security;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Commands;

/// <summary>
/// <c>cetus token create|list|delete</c>: bootstrap (join) tokens, as <c>kubeadm token</c> manages them — each a Secret
/// <c>kube-system/bootstrap-token-&lt;id&gt;</c>; an agent joins with <c>cetus agent --server URL --token &lt;id&gt;.&lt;secret&gt;</c>.
/// </summary>
internal static class TokenCommand
{
    /// <summary>Adds the <c>token</c> subcommand.</summary>
    public static void AddTo(RootCommand root)
    {
        Option<string> kubeconfig = new("--kubeconfig") { Description = "An administrator's kubeconfig.", DefaultValueFactory = _ => "/var/lib/cetus/admin.kubeconfig", Recursive = true };
        Command token = new("token", "Manage bootstrap tokens, with which agents join the cluster.") { kubeconfig };

        Option<string> ttl = new("--ttl") { Description = "How long the token is valid (e.g. 30m, 24h, 2h30m); 0 never expires.", DefaultValueFactory = _ => "24h" };
        Option<string?> description = new("--description") { Description = "A human description of the token." };
        Option<string[]> groups = new("--groups") { Description = "Extra groups (system:bootstrappers:…) the token's user is in.", AllowMultipleArgumentsPerToken = true };
        Option<bool> printJoinCommand = new("--print-join-command") { Description = "Print the whole `cetus agent` command that joins a node (with --ca-cert-hash) instead of the token alone." };
        Command create = new("create", "Create a bootstrap token and print it (<id>.<secret>); the command to join a node goes to standard error.") { ttl, description, groups, printJoinCommand };
        create.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            if (ParseDuration(parseResult.GetValue(ttl)!) is not { } lifetime)
            {
                await error.WriteLineAsync($"cetus: invalid --ttl {parseResult.GetValue(ttl)}: use a duration such as 30m, 24h or 0").ConfigureAwait(false);
                return 1;
            }

            var extraGroups = (parseResult.GetValue(groups) ?? []).SelectMany(g => g.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
            if (extraGroups.FirstOrDefault(g => !BootstrapTokens.IsValidExtraGroup(g)) is { } bad)
            {
                await error.WriteLineAsync($"cetus: invalid group {bad}: extra groups must match system:bootstrappers:[a-z0-9:-]*[a-z0-9]").ConfigureAwait(false);
                return 1;
            }

            return await AdminClient.RunAsync(parseResult.GetValue(kubeconfig)!, error, async client =>
            {
                var (id, secret) = BootstrapTokens.Generate();
                DateTimeOffset? expires = lifetime == TimeSpan.Zero ? null : DateTimeOffset.UtcNow + lifetime;
                await client.CoreV1.CreateNamespacedSecretAsync(
                    BootstrapTokens.ToSecret(id, secret, expires, parseResult.GetValue(description), extraGroups), BootstrapTokens.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                var join = JoinCommand(parseResult.GetValue(kubeconfig)!, $"{id}.{secret}");
                if (parseResult.GetValue(printJoinCommand))
                {
                    await parseResult.InvocationConfiguration.Output.WriteLineAsync(join ?? $"{id}.{secret}").ConfigureAwait(false);
                    return;
                }

                await parseResult.InvocationConfiguration.Output.WriteLineAsync($"{id}.{secret}").ConfigureAwait(false);
                if (join is not null)
                {
                    await error.WriteLineAsync("cetus: join a node with: " + join).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        });

        Command list = new("list", "List the bootstrap tokens.");
        list.SetAction(async (parseResult, cancellationToken) =>
            await AdminClient.RunAsync(parseResult.GetValue(kubeconfig)!, parseResult.InvocationConfiguration.Error, async client =>
            {
                var secrets = await client.CoreV1.ListNamespacedSecretAsync(BootstrapTokens.Namespace, fieldSelector: "type=" + BootstrapTokens.SecretType, cancellationToken: cancellationToken).ConfigureAwait(false);
                var output = parseResult.InvocationConfiguration.Output;
                await output.WriteLineAsync($"{"TOKEN",-24}{"TTL",-10}{"EXPIRES",-22}{"USAGES",-26}{"DESCRIPTION",-30}EXTRA GROUPS").ConfigureAwait(false);
                foreach (var item in secrets.Items.Where(s => s.Type == BootstrapTokens.SecretType).OrderBy(s => s.Metadata.Name, StringComparer.Ordinal))
                {
                    string Value(string key) => item.Data?.TryGetValue(key, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : string.Empty;
                    var expires = Value(BootstrapTokens.ExpirationKey);
                    var left = DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                        ? (at <= DateTimeOffset.UtcNow ? "<expired>" : Api.Resources.Printing.HumanDuration.Format(at - DateTimeOffset.UtcNow))
                        : "<forever>";
                    var usages = string.Join(',', new[] { "authentication", "signing" }.Where(u => Value("usage-bootstrap-" + u) == "true"));
                    // As kubeadm token list: the secret half is masked.
                    await output.WriteLineAsync($"{Value(BootstrapTokens.IdKey) + ".****************",-24}{left,-10}{(expires.Length == 0 ? "<never>" : expires),-22}{usages,-26}{Value(BootstrapTokens.DescriptionKey),-30}{Value(BootstrapTokens.ExtraGroupsKey)}").ConfigureAwait(false);
                }
            }).ConfigureAwait(false));

        Argument<string> id = new("TOKEN-ID") { Description = "The token's id (or the whole token)." };
        Command delete = new("delete", "Delete a bootstrap token: agents can no longer join with it.") { id };
        delete.SetAction(async (parseResult, cancellationToken) =>
        {
            var value = parseResult.GetValue(id)!;
            var tokenId = BootstrapTokens.Parse(value)?.Id ?? value;
            return await AdminClient.RunAsync(parseResult.GetValue(kubeconfig)!, parseResult.InvocationConfiguration.Error, async client =>
            {
                await client.CoreV1.DeleteNamespacedSecretAsync(BootstrapTokens.SecretPrefix + tokenId, BootstrapTokens.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                await parseResult.InvocationConfiguration.Output.WriteLineAsync($"bootstrap token \"{tokenId}\" deleted").ConfigureAwait(false);
            }).ConfigureAwait(false);
        });

        token.Subcommands.Add(create);
        token.Subcommands.Add(list);
        token.Subcommands.Add(delete);
        root.Subcommands.Add(token);
    }

    /// <summary>
    /// <c>cetus agent --server URL --token TOKEN --ca-cert-hash sha256:HEX</c> for the server and CA of the admin's
    /// kubeconfig (as kubeadm's join command); null when the kubeconfig names no CA.
    /// </summary>
    private static string? JoinCommand(string kubeconfig, string token)
    {
        var config = KubeconfigFile.Load(kubeconfig);
        if (config.SslCaCerts is not { Count: > 0 } authorities)
        {
            return null;
        }

        return $"cetus agent --server {config.Host.TrimEnd('/')} --token {token} --ca-cert-hash {Api.Bootstrap.ClusterInfo.CaCertHash(authorities[0])}";
    }

    /// <summary>A Go-style duration (<c>90s</c>, <c>30m</c>, <c>24h</c>, <c>1h30m</c>, <c>0</c>); null when malformed or negative.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        if (text == "0")
        {
            return TimeSpan.Zero;
        }

        var total = TimeSpan.Zero;
        var rest = text.AsSpan();
        if (rest.IsEmpty)
        {
            return null;
        }

        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }

            var units = digits;
            while (units < rest.Length && char.IsAsciiLetter(rest[units]))
            {
                units++;
            }

            if (digits == 0 || units == digits || !double.TryParse(rest[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }

            TimeSpan? unit = rest[digits..units] switch
            {
                "s" => TimeSpan.FromSeconds(1),
                "m" => TimeSpan.FromMinutes(1),
                "h" => TimeSpan.FromHours(1),
                _ => null,
            };
            if (unit is null)
            {
                return null;
            }

            total += unit.Value * number;
            rest = rest[units..];
        }

        return total;
    }
}
