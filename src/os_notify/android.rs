//! Android alerts through JNI: `NotificationManager.notify` with a `Notification.Builder` of the
//! framework (no AndroidX in the app), a channel per priority (Android 8+), the app's launcher
//! icon, and a tap that opens the app. Android 13+ asks the user once for the permission
//! `POST_NOTIFICATIONS` (declared in the manifests); refused, nothing is shown and the
//! notifications stay in the app's list.

use jni::JNIEnv;
use jni::JavaVM;
use jni::objects::{JObject, JValue};

use super::{OsAlert, OsNotifier};

pub struct AndroidNotifier;

impl OsNotifier for AndroidNotifier {
    fn show(&self, alert: &OsAlert) -> Result<(), String> {
        post(alert).map_err(|e| e.to_string())
    }
}

/// Framework constants (android.app.NotificationManager, android.app.PendingIntent).
const IMPORTANCE_DEFAULT: i32 = 3;
const IMPORTANCE_HIGH: i32 = 4;
const PRIORITY_DEFAULT: i32 = 0;
const PRIORITY_HIGH: i32 = 1;
const FLAG_IMMUTABLE: i32 = 0x0400_0000;
const FLAG_UPDATE_CURRENT: i32 = 0x0800_0000;
const PERMISSION_GRANTED: i32 = 0;
const POST_NOTIFICATIONS: &str = "android.permission.POST_NOTIFICATIONS";
const BUILDER: &str = "android/app/Notification$Builder";
const BUILDER_SIG: &str = "Landroid/app/Notification$Builder;";

fn post(alert: &OsAlert) -> jni::errors::Result<()> {
    let ctx = ndk_context::android_context();
    if ctx.vm().is_null() || ctx.context().is_null() {
        return Err(jni::errors::Error::NullPtr("no Android context"));
    }
    // SAFETY: ndk-context hands out the process's JavaVM and the activity's Context, both valid
    // for the life of the process.
    let vm = unsafe { JavaVM::from_raw(ctx.vm().cast()) }?;
    let mut env = vm.attach_current_thread()?;
    // SAFETY: a global reference owned by the activity glue, never freed here.
    let context = unsafe { JObject::from_raw(ctx.context().cast()) };
    let result = env.with_local_frame(32, |env| build_and_notify(env, &context, alert));
    // A Java exception must not stay pending on this thread.
    if env.exception_check()? {
        env.exception_clear()?;
    }
    result
}

fn build_and_notify(
    env: &mut JNIEnv,
    context: &JObject,
    alert: &OsAlert,
) -> jni::errors::Result<()> {
    let sdk = env
        .get_static_field("android/os/Build$VERSION", "SDK_INT", "I")?
        .i()?;
    if sdk >= 33 {
        ask_permission_once(env, context)?;
    }
    let service = env.new_string("notification")?;
    let manager = env
        .call_method(
            context,
            "getSystemService",
            "(Ljava/lang/String;)Ljava/lang/Object;",
            &[JValue::Object(&service)],
        )?
        .l()?;
    let builder = if sdk >= 26 {
        // A channel's importance is fixed once made, so urgent alerts have their own channel.
        let (id, name, importance) = if alert.urgent {
            ("sepiion-urgent", "Sepiion — mendesak", IMPORTANCE_HIGH)
        } else {
            ("sepiion", "Sepiion", IMPORTANCE_DEFAULT)
        };
        let id = env.new_string(id)?;
        let name = env.new_string(name)?;
        let channel = env.new_object(
            "android/app/NotificationChannel",
            "(Ljava/lang/String;Ljava/lang/CharSequence;I)V",
            &[
                JValue::Object(&id),
                JValue::Object(&name),
                JValue::Int(importance),
            ],
        )?;
        // Creating an existing channel again is a no-op.
        env.call_method(
            &manager,
            "createNotificationChannel",
            "(Landroid/app/NotificationChannel;)V",
            &[JValue::Object(&channel)],
        )?;
        env.new_object(
            BUILDER,
            "(Landroid/content/Context;Ljava/lang/String;)V",
            &[JValue::Object(context), JValue::Object(&id)],
        )?
    } else {
        let b = env.new_object(
            BUILDER,
            "(Landroid/content/Context;)V",
            &[JValue::Object(context)],
        )?;
        let priority = if alert.urgent {
            PRIORITY_HIGH
        } else {
            PRIORITY_DEFAULT
        };
        env.call_method(
            &b,
            "setPriority",
            format!("(I){BUILDER_SIG}"),
            &[JValue::Int(priority)],
        )?;
        b
    };
    let app_info = env
        .call_method(
            context,
            "getApplicationInfo",
            "()Landroid/content/pm/ApplicationInfo;",
            &[],
        )?
        .l()?;
    let icon = env.get_field(&app_info, "icon", "I")?.i()?;
    env.call_method(
        &builder,
        "setSmallIcon",
        format!("(I){BUILDER_SIG}"),
        &[JValue::Int(icon)],
    )?;
    let title = env.new_string(&alert.title)?;
    let body = env.new_string(&alert.body)?;
    let text_sig = format!("(Ljava/lang/CharSequence;){BUILDER_SIG}");
    env.call_method(
        &builder,
        "setContentTitle",
        &text_sig,
        &[JValue::Object(&title)],
    )?;
    env.call_method(
        &builder,
        "setContentText",
        &text_sig,
        &[JValue::Object(&body)],
    )?;
    // The whole text when expanded (bodies have several lines: date, place, code).
    let style = env.new_object("android/app/Notification$BigTextStyle", "()V", &[])?;
    env.call_method(
        &style,
        "bigText",
        "(Ljava/lang/CharSequence;)Landroid/app/Notification$BigTextStyle;",
        &[JValue::Object(&body)],
    )?;
    env.call_method(
        &builder,
        "setStyle",
        format!("(Landroid/app/Notification$Style;){BUILDER_SIG}"),
        &[JValue::Object(&style)],
    )?;
    env.call_method(
        &builder,
        "setAutoCancel",
        format!("(Z){BUILDER_SIG}"),
        &[JValue::Bool(1)],
    )?;
    if let Some(open_app) = launch_intent(env, context)? {
        env.call_method(
            &builder,
            "setContentIntent",
            format!("(Landroid/app/PendingIntent;){BUILDER_SIG}"),
            &[JValue::Object(&open_app)],
        )?;
    }
    let notification = env
        .call_method(&builder, "build", "()Landroid/app/Notification;", &[])?
        .l()?;
    // Tag and number identify it: the same tag replaces (a newer summary replaces the older).
    let tag = env.new_string(&alert.tag)?;
    env.call_method(
        &manager,
        "notify",
        "(Ljava/lang/String;ILandroid/app/Notification;)V",
        &[
            JValue::Object(&tag),
            JValue::Int(0),
            JValue::Object(&notification),
        ],
    )?;
    Ok(())
}

/// What tapping the notification does: open the app (its launcher activity).
fn launch_intent<'a>(
    env: &mut JNIEnv<'a>,
    context: &JObject,
) -> jni::errors::Result<Option<JObject<'a>>> {
    let pm = env
        .call_method(
            context,
            "getPackageManager",
            "()Landroid/content/pm/PackageManager;",
            &[],
        )?
        .l()?;
    let package = env
        .call_method(context, "getPackageName", "()Ljava/lang/String;", &[])?
        .l()?;
    let intent = env
        .call_method(
            &pm,
            "getLaunchIntentForPackage",
            "(Ljava/lang/String;)Landroid/content/Intent;",
            &[JValue::Object(&package)],
        )?
        .l()?;
    if intent.is_null() {
        return Ok(None);
    }
    let pending = env
        .call_static_method(
            "android/app/PendingIntent",
            "getActivity",
            "(Landroid/content/Context;ILandroid/content/Intent;I)Landroid/app/PendingIntent;",
            &[
                JValue::Object(context),
                JValue::Int(0),
                JValue::Object(&intent),
                JValue::Int(FLAG_IMMUTABLE | FLAG_UPDATE_CURRENT),
            ],
        )?
        .l()?;
    Ok(Some(pending))
}

/// Android 13+: notifications need the user's permission, asked from the activity. Asked at
/// most once per run (Android itself stops asking after the user refused twice).
fn ask_permission_once(env: &mut JNIEnv, context: &JObject) -> jni::errors::Result<()> {
    use std::sync::atomic::{AtomicBool, Ordering};
    static ASKED: AtomicBool = AtomicBool::new(false);
    let permission = env.new_string(POST_NOTIFICATIONS)?;
    let granted = env
        .call_method(
            context,
            "checkSelfPermission",
            "(Ljava/lang/String;)I",
            &[JValue::Object(&permission)],
        )?
        .i()?;
    if granted == PERMISSION_GRANTED
        || ASKED.swap(true, Ordering::SeqCst)
        || !env.is_instance_of(context, "android/app/Activity")?
    {
        return Ok(());
    }
    let list = env.new_object_array(1, "java/lang/String", &permission)?;
    env.call_method(
        context,
        "requestPermissions",
        "([Ljava/lang/String;I)V",
        &[JValue::Object(&list), JValue::Int(1)],
    )?;
    Ok(())
}
