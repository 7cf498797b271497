using System.Text.Json;
using Cetus.Api.Json;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Security;
using k8s.Models;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// POST serviceaccounts/{name}/token (the TokenRequest API, pkg/registry/core/serviceaccount/storage/token.go): signs
/// a token for the service account, optionally bound to a Pod, Secret or Node that must exist (and have the given
/// uid), for the requested audiences (the API server's by default) and lifetime (3600 s by default, at least 600).
/// Answers 201 with the TokenRequest, its status holding the token and its expiry. Nothing is stored.
/// </summary>
internal sealed class TokenRequestHandler(ServiceAccountTokens signer, ObjectStore objects, ResourceRegistry registry)
{
    private const long DefaultExpirationSeconds = 3600;
    private const long MinExpirationSeconds = 600;
    private const long MaxExpirationSeconds = 1L << 32;
    private const string Group = "authentication.k8s.io";

    public async Task CreateAsync(ResourceRequest request)
    {
        var mediaType = MediaTypes.Of(request.Http.Request.ContentType);
        if (mediaType is not (MediaTypes.Json or MediaTypes.Yaml or MediaTypes.Protobuf))
        {
            throw Problems.UnsupportedMediaType(MediaTypes.AcceptedBodies);
        }

        var body = await BodyReader.ReadAsync(request.Http).ConfigureAwait(false);
        var parsed = BodyReader.ParseNode(body, mediaType, request.Duplicates);
        Authenticationv1TokenRequest token;
        try
        {
            token = parsed.Deserialize<Authenticationv1TokenRequest>(KubeJson.Options) ?? throw Problems.BadRequest("the TokenRequest is empty");
        }
        catch (JsonException e)
        {
            throw Problems.BadRequest($"TokenRequest in version \"v1\" cannot be handled as a TokenRequest: {e.Message}");
        }

        if (token.Kind is { Length: > 0 } kind && kind != "TokenRequest" || token.ApiVersion is { Length: > 0 } version && version != $"{Group}/v1")
        {
            throw Problems.BadRequest($"the body of serviceaccounts/token must be an {Group}/v1 TokenRequest, not {token.ApiVersion}, Kind={token.Kind}");
        }

        token.Metadata ??= new V1ObjectMeta();
        token.Spec ??= new V1TokenRequestSpec();
        var ns = request.Namespace;
        var name = request.Name;
        if (token.Metadata.Name is { Length: > 0 } bodyName && bodyName != name)
        {
            throw Invalid(name, new FieldError(FieldErrorType.FieldValueInvalid, "metadata.name", $"metadata.name: Invalid value: \"{bodyName}\": must match the service account name if specified"));
        }

        if (token.Metadata.NamespaceProperty is { Length: > 0 } bodyNamespace && bodyNamespace != ns)
        {
            throw Invalid(name, new FieldError(FieldErrorType.FieldValueInvalid, "metadata.namespace", $"metadata.namespace: Invalid value: \"{bodyNamespace}\": must match the service account namespace if specified"));
        }

        var account = (await objects.MustGetAsync(request.Definition, ns, name, request.Aborted).ConfigureAwait(false)).Item;
        if (token.Spec.Audiences is not { Count: > 0 })
        {
            token.Spec.Audiences = signer.ApiAudiences.ToList();
        }

        token.Spec.ExpirationSeconds ??= DefaultExpirationSeconds;
        token.Metadata.Name = name;
        token.Metadata.NamespaceProperty = ns;
        token.Metadata.CreationTimestamp = ObjectMetadata.Truncate(signer.Time.GetUtcNow());
        token.Status = null;
        Validate(token.Spec);

        ObjectRef? pod = null, secret = null, nodeRef = null;
        if (token.Spec.BoundObjectRef is { } bound)
        {
            var (group, boundVersion) = SplitApiVersion(bound.ApiVersion);
            string uid;
            switch (group, bound.Kind)
            {
                case ("", "Pod"):
                    var boundPod = (V1Pod)await GetAsync("pods", ns, bound.Name, request.Aborted).ConfigureAwait(false);
                    var podAccount = string.IsNullOrEmpty(boundPod.Spec?.ServiceAccountName) ? "default" : boundPod.Spec.ServiceAccountName;
                    if (podAccount != name)
                    {
                        throw Problems.BadRequest($"cannot bind token for serviceaccount \"{name}\" to pod running with different serviceaccount name.");
                    }

                    uid = boundPod.Metadata.Uid;
                    pod = new ObjectRef(boundPod.Metadata.Name, uid);
                    if (boundPod.Spec?.NodeName is { Length: > 0 } nodeName
                        && await objects.GetAsync(Definition("nodes"), string.Empty, nodeName, request.Aborted).ConfigureAwait(false) is { } podNode)
                    {
                        // As ServiceAccountTokenPodNodeInfo: a pod-bound token also names the pod's node.
                        nodeRef = new ObjectRef(nodeName, podNode.Item.Metadata.Uid);
                    }

                    break;
                case ("", "Secret"):
                    var boundSecret = await GetAsync("secrets", ns, bound.Name, request.Aborted).ConfigureAwait(false);
                    uid = boundSecret.Metadata.Uid;
                    secret = new ObjectRef(boundSecret.Metadata.Name, uid);
                    break;
                case ("", "Node"):
                    var boundNode = await GetAsync("nodes", string.Empty, bound.Name, request.Aborted).ConfigureAwait(false);
                    uid = boundNode.Metadata.Uid;
                    nodeRef = new ObjectRef(boundNode.Metadata.Name, uid);
                    break;
                default:
                    throw Problems.BadRequest($"cannot bind token to object of type {(group.Length == 0 ? string.Empty : group + "/")}{boundVersion}, Kind={bound.Kind}");
            }

            if (bound.Uid is { Length: > 0 } wantedUid && wantedUid != uid)
            {
                throw Problems.Conflict(group, bound.Kind, bound.Name, $"the UID in the bound object reference ({wantedUid}) does not match the UID in record. The object might have been deleted and then recreated");
            }
        }

        var (signed, expires) = signer.Issue(new ServiceAccountClaims
        {
            Namespace = ns,
            ServiceAccount = new ObjectRef(account.Metadata.Name, account.Metadata.Uid),
            Pod = pod,
            Secret = secret,
            Node = nodeRef,
            Audiences = token.Spec.Audiences.ToList(),
            Id = Guid.NewGuid().ToString(),
            Lifetime = TimeSpan.FromSeconds(token.Spec.ExpirationSeconds.Value),
        });
        token.ApiVersion = $"{Group}/v1";
        token.Kind = "TokenRequest";
        token.Status = new V1TokenRequestStatus { Token = signed, ExpirationTimestamp = ObjectMetadata.Truncate(expires) };
        await Responses.WriteJsonAsync(request.Http, 201, KubeJson.Serialize(token)).ConfigureAwait(false);
    }

    private static void Validate(V1TokenRequestSpec spec)
    {
        var errors = new List<FieldError>();
        var seconds = spec.ExpirationSeconds!.Value;
        if (seconds < MinExpirationSeconds)
        {
            errors.Add(new FieldError(FieldErrorType.FieldValueInvalid, "spec.expirationSeconds", $"spec.expirationSeconds: Invalid value: {seconds}: may not specify a duration less than 10 minutes"));
        }

        if (seconds > MaxExpirationSeconds)
        {
            errors.Add(new FieldError(FieldErrorType.FieldValueInvalid, "spec.expirationSeconds", $"spec.expirationSeconds: Invalid value: {seconds}: may not specify a duration larger than 2^32 seconds"));
        }

        if (errors.Count > 0)
        {
            throw Problems.Invalid(Group, "TokenRequest", string.Empty, errors);
        }
    }

    private static ApiException Invalid(string name, FieldError error) => Problems.Invalid(Group, "TokenRequest", name, [error]);

    private static (string Group, string Version) SplitApiVersion(string? apiVersion)
    {
        var value = apiVersion ?? string.Empty;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (string.Empty, value) : (value[..slash], value[(slash + 1)..]);
    }

    private ResourceDefinition Definition(string plural) => registry.Find(string.Empty, "v1", plural)!;

    private async Task<k8s.IKubernetesObject<V1ObjectMeta>> GetAsync(string plural, string ns, string? name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw Problems.BadRequest("spec.boundObjectRef.name is required");
        }

        return (await objects.MustGetAsync(Definition(plural), ns, name, cancellationToken).ConfigureAwait(false)).Item;
    }
}
