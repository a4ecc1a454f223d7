from django.http import HttpResponse
from django.urls import include, path


def health(request):
    return HttpResponse("ok")


urlpatterns = [path("health/", health), path("accounts/", include("allauth.urls"))]
