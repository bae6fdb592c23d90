"""DRF authentication and scope checks for integration tokens (`Authorization: Bearer sh_…`)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from .models import ApiToken, User
from .security import works_with_cases
from .services import api_token_authenticate


class AuthenticatedRequest(Request):
    """For type checking only: the request an API view gets once its permission classes have let
    it through. Every one of them asks for a token (whose `user` is set) or a signed-in member of
    staff, so `user` is a User, never AnonymousUser (the pattern of accounts.access)."""

    user: User


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <key>.")
        token = api_token_authenticate(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed("The token is unknown, expired or revoked.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def scope_required(scope: str) -> type[permissions.BasePermission]:
    """A permission class: the request carries a token holding `scope`."""

    class HasScope(permissions.BasePermission):
        message = f"This token lacks the {scope} scope."

        def has_permission(self, request: Request, view) -> bool:
            token = request.auth
            return isinstance(token, ApiToken) and scope in token.scopes

    HasScope.__name__ = f"HasScope[{scope}]"
    return HasScope


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the integration token in the OpenAPI schema."""

    target_class = TokenAuthentication
    name = "integrationToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "sh_<prefix>_<secret>"}


def api_access(*, scope: str, permission: str) -> type[permissions.BasePermission]:
    """A permission class for the API: an integration token holding `scope`, or a signed-in member
    of staff (the browsable API) holding `permission`."""

    class HasAccess(permissions.BasePermission):
        message = f"This needs a token with the {scope} scope."

        def has_permission(self, request: Request, view) -> bool:
            token = request.auth
            if isinstance(token, ApiToken):
                return scope in token.scopes
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(permission))

    HasAccess.__name__ = f"HasAccess[{scope}]"
    return HasAccess


class StaffSession(permissions.BasePermission):
    """Staff signed in to the portal (accounts.security.works_with_cases), never a token whatever
    its scopes: the schema describes every endpoint, and is for the staff who build with it, not
    for shops, liaisons or the systems holding a token for one job."""

    message = "The API schema and its docs are for staff signed in to the portal."

    def has_permission(self, request: Request, view) -> bool:
        if isinstance(request.auth, ApiToken):
            return False
        user = request.user
        return bool(user and user.is_authenticated and works_with_cases(user))
