## Commands (the menu next to the text field)

command-start = Start over and see what is unfinished
command-new = Create a new avatar
command-avatars = My avatars
command-generate = Generate images with my main avatar
command-cancel = Stop what we are doing
command-help = How this bot works

## Home, help and the unexpected

home-greeting = Hi, { $firstName }! I turn 10–20 of your photos into a personal AI avatar, then draw you in any scene you describe.
home-first-time = Start with a new avatar: a name, a few questions, then your photos.
home-creating = You were creating the avatar { $name }.
home-creating-unnamed = You were creating a new avatar.
home-unfinished = Continue where you stopped:
help =
    How it works:
    1. /new — name your avatar and choose how to train it.
    2. Send 10–20 photos of yourself (as photos or as JPEG, PNG or WEBP files; albums are fine).
    3. Tap [Start training]. I will write when your avatar is ready.
    4. /generate — describe a picture and choose its shape.
    /avatars lists your avatars; /cancel stops the current question.
    Credits: /balance shows them, /topup buys more with Telegram Stars. A training or an image is paid for only when it succeeds: if it fails, its credits come back. Cancelling a training returns its credits until it starts running on the server; after that it is charged. /paysupport for payment questions.
not-understood = I did not get that. Use the buttons, or /help.
use-the-buttons = Please answer with the buttons below.
photos-expected = I am waiting for photos: send them here, or /cancel.
flow-cancelled = Stopped. What next?
error-generic = Something went wrong on my side. Nothing you sent was lost — please try again in a moment.
error-try-again = Something went wrong. Nothing changed — please try again.

## Avatar statuses and training stages

status-draft = no photos yet
status-uploading = collecting photos
status-ready = ready to train
status-training = training
status-completed = ready
status-failed = training failed
status-cancelled = cancelled
status-deleted = deleted
status-with-stage = { $status } ({ $stage })
stage-requested = starting
stage-queued = queued
stage-running = in progress

gender-female = Female
gender-male = Male
trainer-portrait = Portrait (best likeness, slower)
trainer-fast = Fast (quicker, less detail)

## Creating an avatar

create-ask-name = What should your new avatar be called? Send a name (up to 64 characters).
name-invalid = That name will not work: it must be 1 to 64 characters, without control characters. Try another one.
create-ask-gender = { $name }: who is in the photos?
create-ask-trainer = { $name }: how should I train it?
toast-avatar-created = Avatar created

## Photos

upload-title = Photos for { $name }
upload-tips = Send { $min }–{ $max } photos of yourself: your face clearly visible, different angles and backgrounds, no sunglasses, no other people. Each photo needs at least 512 px on its shortest side.
photos-counter = { $count }/{ $max } photos.
photos-needed = { $needed ->
    [one] { $needed } more photo needed to start training.
   *[other] { $needed } more photos needed to start training.
}
photos-ready = Ready to train. You can add { $room ->
    [one] { $room } more photo
   *[other] { $room } more photos
} or start now.
photos-full = That is the maximum. Start training when you like.
photo-no-avatar = I have no avatar to add this photo to. Create one first.
photo-rejected = Not added to { $name }:
photo-rejected-duplicate = this photo is already there.
photo-rejected-limit = the avatar already has { $max } photos, the most it can have.
photo-rejected-too-small = it is { $width }×{ $height } px; the shortest side must be at least { $min } px.
photo-rejected-too-large = it is { $sizeMb } MB; files over { $maxMb } MB cannot be downloaded from Telegram.
photo-rejected-not-image = this file is not an image. Send JPEG, PNG or WEBP.
photo-rejected-format = { $format } images are not supported. Send JPEG, PNG or WEBP.
photo-rejected-download = I could not download it from Telegram. Please send it again.
toast-send-photos = Send your photos now
remove-photos-title = Photos of { $name }. Tap a number to remove that photo (numbers follow the order you sent them).
button-photo-number = ✖ { $number }
toast-photo-removed = Photo removed

## Machine rejections (what the avatar's rules said)

rejected-avatar-missing = this avatar does not exist.
rejected-already-done = that was already done.
rejected-status = not possible while the avatar is { $status }.
rejected-photo-gone = that photo was already removed.
rejected-not-enough-photos = training needs { $minPhotos } to { $max } photos.
rejected-changed = the avatar changed meanwhile; look at it again.
rejected-insufficient-credits = there are not enough credits.
rejected-credits-spent = those credits are already spent.
rejected-internal = something does not add up on my side; it has been logged.
not-done = Not done: { $reason }

## The avatar card

card-title = 👤 { $name }
card-title-main = 👤 { $name } ⭐ main
card-status = Status: { $status }
card-queue-position = Position in the queue: { $position }
card-failure = Last attempt failed: { $reason }
card-send-photos = Send photos here to add them.
card-can-generate = Ready to draw you: tap [Generate].
confirm-abandon = Cancel the avatar { $name }? Its photos stay, but it can no longer be trained.
confirm-cancel-training = Stop training { $name }? The training is cancelled and cannot be resumed.
stop-training-refunded = The training has not started running yet: its credits are returned.
stop-training-charged = The training is already running on the server: its credits are not returned.
confirm-delete = Delete { $name } for good? This cannot be undone.
avatar-deleted = { $name } was deleted.
rename-ask = Send the new name for { $name }.
renamed = Renamed to { $name }.
toast-cancelled = Cancelled
toast-deleted = Deleted
toast-main-chosen = { $name } is now your main avatar
toast-training-started = Training started
avatars-title = Your avatars:
avatars-title-page = Your avatars (page { $page } of { $pages }):
avatars-line = • { $name } — { $status }, { $count ->
    [one] { $count } photo
   *[other] { $count } photos
}
avatars-line-main = • { $name } ⭐ — { $status }, { $count ->
    [one] { $count } photo
   *[other] { $count } photos
}
avatars-none = You have no avatars yet.

## Training notifications

training-completed = 🎉 { $name } is ready! Describe any scene and I will draw you in it.
training-failed = 😔 Training { $name } failed: { $reason }
    You can try again with the same photos or change them first.

## Generation

generate-ask-prompt = Describe the picture of { $name } you want (for example: “in a space suit on Mars, cinematic light”).
prompt-invalid = Please describe the picture in 1 to { $max } characters.
generate-ask-aspect = { $prompt }
    Choose the shape of the picture:
generate-started = 🎨 Drawing { $prompt } ({ $aspect })…
generate-no-avatar = You have no ready avatar yet. Create one with /new.
toast-generating = Drawing…
generation-caption = { $prompt }
generation-delivered = Here you are! Again with the same description, or a new one?
generation-failed = 😔 I could not draw this one: { $reason }

## Buttons

button-new-avatar = ➕ New avatar
button-my-avatars = 📋 My avatars
button-home = 🏠 Menu
button-resume-creation = ▶️ Continue creating
button-continue-avatar = ▶️ Continue { $name }
button-open-avatar = { $name }
button-avatar-card = 👤 Avatar
button-add-photos = 📸 Add photos
button-remove-photos = 🗑 Remove photos
button-change-photos = 📸 Change photos
button-start-training = 🚀 Start training
button-retry-training = 🔁 Retry training
button-generate = 🎨 Generate
button-generate-with = 🎨 Generate with { $name }
button-make-main = ⭐ Make main
button-refresh = 🔄 Refresh
button-rename = ✏️ Rename
button-cancel-avatar = ✖️ Cancel
button-confirm-cancel = Yes, cancel
button-delete = 🗑 Delete
button-confirm-delete = Yes, delete
button-back = ⬅️ Back
button-previous-page = ◀️ Previous
button-next-page = Next ▶️
button-again = 🔁 Again
button-new-prompt = ✏️ New description

## Old, unknown or foreign buttons

stale-unknown-button = This button is out of date. Send /start for the current menu.
stale-avatar-gone = This avatar no longer exists.
not-your-avatar = This is not your avatar; nothing was changed.
stale-question = This question is closed. Send /start to see where you are.
stale-training = Training has already been started (or cannot start now); nothing was started twice.
stale-no-photos-now = This avatar is not taking photos now.
stale-photo-gone = That photo is not there any more.
stale-not-now = That is not possible any more; here is the avatar as it is now.
stale-main-needs-completed = Only a ready avatar can be your main one.
stale-cannot-generate = This avatar cannot draw yet.
stale-generation-requested = Already drawing this one.
stale-generation-gone = I cannot find that picture any more.

## Credits and payments

wallet-balance = 💰 Balance: { $available ->
    [one] { $available } credit
   *[other] { $available } credits
}
wallet-reserved = On hold for work in progress: { $reserved } ({ $count ->
    [one] { $count } job
   *[other] { $count } jobs
}). They are charged when it succeeds and returned if it fails.
wallet-prices = Training an avatar costs { $training } credits; each image costs { $image }.
wallet-recent = Latest operations:
wallet-op-granted = { $date }: +{ $credits } gift
wallet-op-topup = { $date }: +{ $credits } bought with Stars
wallet-op-reserved = { $date }: { $credits } put on hold
wallet-op-captured = { $date }: the hold was charged
wallet-op-released = { $date }: the hold was returned
wallet-op-stars-refunded = { $date }: −{ $credits } (Stars refunded)
wallet-not-enough = Not enough credits: this needs { $price } and you have { $available }. Top up to continue.
topup-choose = You have { $available } credits. Choose a package; you pay in Telegram Stars.
topup-paid = ✅ Payment received: +{ $credits } credits. You now have { $available }.
topup-unknown-package = That package is no longer on sale. Choose another one.
invoice-title = { $credits } credits
invoice-description = { $credits } credits for training avatars and generating images.
invoice-label = { $credits } credits
precheckout-unknown-package = This package is no longer on sale. Nothing was charged.
precheckout-not-yours = This invoice was made for someone else. Nothing was charged.
paysupport =
    Payment questions: write here what happened and when, and an operator will answer.
    Credits never expire. A training or an image is charged only when it succeeds: a failure returns its credits. Cancelling a training returns its credits until the training starts running on the server; after that it is charged.
    Stars for a top-up can be refunded while its credits are unspent.
terms =
    Credits are bought with Telegram Stars and spent on trainings and images in this bot. Each job's credits are held when it starts, charged when it succeeds and returned when it fails. A cancelled training is refunded until it starts running. Unspent top-ups can be refunded through /paysupport.
button-top-up = 💰 Top up
button-balance = 💰 Balance
button-package = { $credits } credits — ⭐ { $stars }
toast-topup-invoice = Pay the invoice below
command-balance = My credits
command-topup = Buy credits
command-paysupport = Help with payments
