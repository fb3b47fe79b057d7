from django.urls import path

from clee.portals.provider import attendance, offerings, rosters, views

app_name = "provider"
urlpatterns = [
    path("", views.index, name="index"),
    path("courses/new/", views.course_new, name="course_new"),
    path("courses/split-row/", views.course_split_row, name="course_split_row"),
    path("courses/<int:course_id>/", views.course_detail, name="course_detail"),
    path("courses/<int:course_id>/correct/", views.course_edit, name="course_edit"),
    path("courses/<int:course_id>/withdraw/", views.course_withdraw_page, name="course_withdraw"),
    path("offerings/", offerings.offerings, name="offerings"),
    path("offerings/new/", offerings.offering_new, name="offering_new"),
    path("offerings/instructor-row/", offerings.offering_instructor_row, name="offering_instructor_row"),
    path("offerings/<int:offering_id>/", offerings.offering_detail, name="offering_detail"),
    path("offerings/<int:offering_id>/change/", offerings.offering_edit, name="offering_edit"),
    path("offerings/<int:offering_id>/attendance/", attendance.attendance_start, name="attendance_start"),
    path(
        "offerings/<int:offering_id>/attendance/<int:session_id>/", attendance.attendance, name="attendance"
    ),
    path(
        "offerings/<int:offering_id>/attendance/<int:session_id>/code/",
        attendance.attendance_code,
        name="attendance_code",
    ),
    path(
        "offerings/<int:offering_id>/attendance/<int:session_id>/end/",
        attendance.attendance_end,
        name="attendance_end",
    ),
    path(
        "offerings/<int:offering_id>/attendance/<int:session_id>/add/",
        attendance.attendance_add,
        name="attendance_add",
    ),
    path(
        "offerings/<int:offering_id>/attendance/<int:session_id>/confirm/",
        attendance.attendance_confirm,
        name="attendance_confirm",
    ),
    path("rosters/", rosters.rosters, name="rosters"),
    path("rosters/sample.csv", rosters.roster_sample, name="roster_sample"),
    path("rosters/uploads/<int:upload_id>/", rosters.roster_preview, name="roster_preview"),
    path("rosters/uploads/<int:upload_id>/confirm/", rosters.roster_confirm, name="roster_confirm"),
    path("rosters/<int:batch_id>/", rosters.roster_batch, name="roster_batch"),
]
