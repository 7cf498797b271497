using Cetus.Api.Json;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Handlers;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Security;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// The review resources, answered and never stored: SelfSubjectAccessReview, SubjectAccessReview,
/// LocalSubjectAccessReview, SelfSubjectRulesReview (authorization.k8s.io) and SelfSubjectReview, TokenReview
/// (authentication.k8s.io). Each POST gets its object back with the status filled in (201).
/// </summary>
internal sealed class ReviewHandler(RbacAuthorizer authorizer, ApiServerOptions options, ServiceAccountAuthenticator serviceAccounts, BootstrapTokenAuthenticator bootstrapTokens)
{
    public async Task HandleAsync(ResourceRequest request)
    {
        var mediaType = MediaTypes.Of(request.Http.Request.ContentType);
        if (mediaType is not (MediaTypes.Json or MediaTypes.Yaml or MediaTypes.Protobuf))
        {
            throw Problems.UnsupportedMediaType(MediaTypes.AcceptedBodies);
        }

        var body = await BodyReader.ReadAsync(request.Http).ConfigureAwait(false);
        var item = BodyReader.DecodeObject(request, BodyReader.ParseNode(body, mediaType, request.Duplicates), request.Definition);
        var user = Authentication.UserOf(request.Http) ?? throw Problems.Unauthorized();
        item.Metadata ??= new V1ObjectMeta();
        item.Metadata.CreationTimestamp = null;
        switch (item)
        {
            case V1SelfSubjectAccessReview self:
                self.Status = Review(user, self.Spec?.ResourceAttributes, self.Spec?.NonResourceAttributes, "spec");
                break;
            case V1SubjectAccessReview subject:
                subject.Status = Review(SubjectOf(subject.Spec), subject.Spec?.ResourceAttributes, subject.Spec?.NonResourceAttributes, "spec");
                break;
            case V1LocalSubjectAccessReview local:
                if (local.Spec?.ResourceAttributes?.NamespaceProperty != request.Namespace)
                {
                    throw Problems.BadRequest($"spec.resourceAttributes.namespace must match namespace: {request.Namespace}");
                }

                local.Status = Review(SubjectOf(local.Spec), local.Spec?.ResourceAttributes, local.Spec?.NonResourceAttributes, "spec");
                break;
            case V1SelfSubjectRulesReview rules:
                rules.Status = Rules(user, rules.Spec?.NamespaceProperty ?? string.Empty);
                break;
            case V1SelfSubjectReview whoami:
                whoami.Status = new V1SelfSubjectReviewStatus { UserInfo = Describe(user) };
                break;
            case V1TokenReview token:
                token.Status = await AuthenticateAsync(token.Spec?.Token, token.Spec?.Audiences, request.Aborted).ConfigureAwait(false);
                break;
        }

        await Responses.WriteJsonAsync(request.Http, 201, KubeJson.Serialize(item, request.Definition.Type)).ConfigureAwait(false);
    }

    private static UserInfo SubjectOf(V1SubjectAccessReviewSpec? spec)
    {
        if (string.IsNullOrEmpty(spec?.User) && (spec?.Groups?.Count ?? 0) == 0)
        {
            throw Invalid("SubjectAccessReview", "spec.user: Invalid value: \"\": at least one of user or group must be specified");
        }

        return new UserInfo(spec!.User ?? string.Empty, spec.Uid ?? string.Empty, spec.Groups?.ToList() ?? []);
    }

    private static ApiException Invalid(string kind, string message) =>
        new(Problems.Status(422, "Invalid", $"{kind}.authorization.k8s.io \"\" is invalid: {message}", new V1StatusDetails { Group = "authorization.k8s.io", Kind = kind }));

    private static V1UserInfo Describe(UserInfo user) => new()
    {
        Username = user.Name,
        Uid = user.Uid.Length == 0 ? null : user.Uid,
        Groups = user.Groups.ToList(),
        Extra = user.Extra.Count == 0 ? null : user.Extra.ToDictionary(e => e.Key, e => (IList<string>)e.Value.ToList()),
    };

    private V1SubjectAccessReviewStatus Review(UserInfo user, V1ResourceAttributes? resource, V1NonResourceAttributes? nonResource, string path)
    {
        if ((resource is null) == (nonResource is null))
        {
            var which = resource is null ? "null" : "&authorization.ResourceAttributes{...}";
            throw new ApiException(Problems.Status(422, "Invalid", $"{path}.resourceAttributes: Invalid value: {which}: exactly one of nonResourceAttributes or resourceAttributes must be specified", null));
        }

        var request = resource is not null
            ? new RequestAttributes
            {
                User = user,
                Verb = resource.Verb ?? string.Empty,
                IsResourceRequest = true,
                ApiGroup = resource.Group ?? string.Empty,
                ApiVersion = resource.Version ?? string.Empty,
                Namespace = resource.NamespaceProperty ?? string.Empty,
                Resource = resource.Resource ?? string.Empty,
                Subresource = resource.Subresource ?? string.Empty,
                Name = resource.Name ?? string.Empty,
            }
            : new RequestAttributes { User = user, Verb = nonResource!.Verb ?? string.Empty, Path = nonResource.Path ?? string.Empty };
        var (allowed, reason) = authorizer.Authorize(request);
        return new V1SubjectAccessReviewStatus { Allowed = allowed, Reason = reason.Length == 0 ? null : reason };
    }

    private V1SubjectRulesReviewStatus Rules(UserInfo user, string ns)
    {
        var resourceRules = new List<V1ResourceRule>();
        var nonResourceRules = new List<V1NonResourceRule>();
        if (user.Groups.Contains(RbacPolicy.MastersGroup))
        {
            // The privileged-group authorizer's rules come first, as kube-apiserver lists them.
            resourceRules.Add(new V1ResourceRule { Verbs = ["*"], ApiGroups = ["*"], Resources = ["*"] });
            nonResourceRules.Add(new V1NonResourceRule { Verbs = ["*"], NonResourceURLs = ["*"] });
        }

        var (rules, errors) = authorizer.Policy.RulesFor(user, ns);
        foreach (var rule in rules)
        {
            if (rule.Resources is { Count: > 0 })
            {
                resourceRules.Add(new V1ResourceRule { Verbs = rule.Verbs, ApiGroups = rule.ApiGroups, Resources = rule.Resources, ResourceNames = rule.ResourceNames });
            }

            if (rule.NonResourceURLs is { Count: > 0 })
            {
                nonResourceRules.Add(new V1NonResourceRule { Verbs = rule.Verbs, NonResourceURLs = rule.NonResourceURLs });
            }
        }

        return new V1SubjectRulesReviewStatus
        {
            ResourceRules = resourceRules,
            NonResourceRules = nonResourceRules,
            Incomplete = errors.Count > 0,
            EvaluationError = errors.Count == 0 ? null : "[" + string.Join(", ", errors) + "]",
        };
    }

    private async Task<V1TokenReviewStatus> AuthenticateAsync(string? token, IList<string>? audiences, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            throw Problems.BadRequest("token is required for TokenReview in authentication");
        }

        if (options.AuthenticateToken(token) is { } user)
        {
            // Token-file tokens carry no audience: they are good for whatever the caller asked (as upstream's static tokens).
            return new V1TokenReviewStatus { Authenticated = true, User = Describe(user.Authenticated()), Audiences = audiences is { Count: > 0 } ? audiences.ToList() : null };
        }

        var (bootstrapUser, bootstrapError) = await bootstrapTokens.AuthenticateAsync(token, cancellationToken).ConfigureAwait(false);
        if (bootstrapUser is not null)
        {
            return new V1TokenReviewStatus { Authenticated = true, User = Describe(bootstrapUser.Authenticated()), Audiences = audiences is { Count: > 0 } ? audiences.ToList() : null };
        }

        if (bootstrapError is not null)
        {
            return new V1TokenReviewStatus { Authenticated = false, Error = "[invalid bearer token, " + bootstrapError + "]" };
        }

        var (account, accepted, error) = await serviceAccounts.AuthenticateAsync(token, audiences?.ToList(), cancellationToken).ConfigureAwait(false);
        return account is null
            ? new V1TokenReviewStatus { Authenticated = false, Error = error is null ? null : "[invalid bearer token, " + error + "]" }
            : new V1TokenReviewStatus { Authenticated = true, User = Describe(account.Authenticated()), Audiences = accepted.ToList() };
    }
}
