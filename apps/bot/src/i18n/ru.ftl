## Команды (меню рядом с полем ввода)

command-start = Начать сначала и увидеть незаконченное
command-new = Создать новый аватар
command-avatars = Мои аватары
command-generate = Сгенерировать изображения с основным аватаром
command-cancel = Прервать текущий шаг
command-help = Как работает бот

## Главное, помощь и неожиданное

home-greeting = Привет, { $firstName }! Я превращаю 10–20 ваших фотографий в персонального ИИ-аватара, а потом рисую вас в любой сцене, которую вы опишете.
home-first-time = Начните с нового аватара: имя, пара вопросов, затем ваши фото.
home-creating = Вы создавали аватар { $name }.
home-creating-unnamed = Вы создавали новый аватар.
home-unfinished = Продолжите с того места, где остановились:
help =
    Как это работает:
    1. /new — назовите аватар и выберите способ обучения.
    2. Пришлите 10–20 своих фотографий (как фото или файлами JPEG, PNG, WEBP; альбомы тоже можно).
    3. Нажмите [Начать обучение]. Я напишу, когда аватар будет готов.
    4. /generate — опишите картинку и выберите её формат.
    /avatars — список аватаров; /cancel — прервать текущий вопрос.
    Кредиты: /balance — баланс, /topup — купить за Telegram Stars. Обучение или изображение оплачивается только при успехе: при ошибке кредиты возвращаются. Отмена обучения возвращает кредиты, пока обучение не запущено на сервере; после этого оно списывается. /paysupport — вопросы об оплате.
not-understood = Я не понял. Воспользуйтесь кнопками или /help.
use-the-buttons = Пожалуйста, ответьте кнопками ниже.
photos-expected = Жду фотографии: пришлите их сюда или нажмите /cancel.
flow-cancelled = Остановились. Что дальше?
error-generic = У меня что-то пошло не так. Ничего из присланного не потерялось — попробуйте ещё раз чуть позже.
error-try-again = Что-то пошло не так. Ничего не изменилось — попробуйте ещё раз.

## Статусы аватара и этапы обучения

status-draft = фото ещё нет
status-uploading = собираем фото
status-ready = готов к обучению
status-training = обучается
status-completed = готов
status-failed = обучение не удалось
status-cancelled = отменён
status-deleted = удалён
status-with-stage = { $status } ({ $stage })
stage-requested = запускается
stage-queued = в очереди
stage-running = идёт

gender-female = Женщина
gender-male = Мужчина
trainer-portrait = Портрет (лучшее сходство, дольше)
trainer-fast = Быстро (быстрее, меньше деталей)

## Создание аватара

create-ask-name = Как назвать новый аватар? Пришлите имя (до 64 символов).
name-invalid = Такое имя не подойдёт: от 1 до 64 символов, без управляющих символов. Попробуйте другое.
create-ask-gender = { $name }: кто на фотографиях?
create-ask-trainer = { $name }: как обучать аватар?
toast-avatar-created = Аватар создан

## Фотографии

upload-title = Фотографии для { $name }
upload-tips = Пришлите { $min }–{ $max } своих фотографий: лицо хорошо видно, разные ракурсы и фон, без солнечных очков и других людей. У каждого фото короткая сторона должна быть не меньше 512 px.
photos-counter = { $count }/{ $max } фото.
photos-needed = { $needed ->
    [one] Ещё { $needed } фотография — и можно обучать.
    [few] Ещё { $needed } фотографии — и можно обучать.
    [many] Ещё { $needed } фотографий — и можно обучать.
   *[other] Ещё { $needed } фотографии — и можно обучать.
}
photos-ready = Можно обучать. Можно добавить ещё { $room ->
    [one] { $room } фотографию
    [few] { $room } фотографии
    [many] { $room } фотографий
   *[other] { $room } фотографии
} или начать сейчас.
photos-full = Это максимум. Начинайте обучение, когда захотите.
photo-no-avatar = Мне не к какому аватару добавить это фото. Сначала создайте аватар.
photo-rejected = Не добавлено к { $name }:
photo-rejected-duplicate = это фото уже есть.
photo-rejected-limit = у аватара уже { $max } фото — это максимум.
photo-rejected-too-small = размер { $width }×{ $height } px; короткая сторона должна быть не меньше { $min } px.
photo-rejected-too-large = файл весит { $sizeMb } МБ; файлы больше { $maxMb } МБ нельзя скачать из Telegram.
photo-rejected-not-image = это не изображение. Пришлите JPEG, PNG или WEBP.
photo-rejected-format = изображения { $format } не поддерживаются. Пришлите JPEG, PNG или WEBP.
photo-rejected-download = не удалось скачать его из Telegram. Пришлите ещё раз, пожалуйста.
toast-send-photos = Присылайте фотографии
remove-photos-title = Фотографии аватара { $name }. Нажмите номер, чтобы удалить это фото (номера — в порядке отправки).
button-photo-number = ✖ { $number }
toast-photo-removed = Фото удалено

## Отказы машины (что сказали правила аватара)

rejected-avatar-missing = такого аватара нет.
rejected-already-done = это уже сделано.
rejected-status = невозможно, пока аватар в статусе «{ $status }».
rejected-photo-gone = это фото уже удалено.
rejected-not-enough-photos = для обучения нужно от { $minPhotos } до { $max } фото.
rejected-changed = аватар тем временем изменился; посмотрите на него ещё раз.
rejected-insufficient-credits = недостаточно кредитов.
rejected-credits-spent = эти кредиты уже потрачены.
rejected-internal = у меня что-то не сходится; это записано в журнал.
not-done = Не сделано: { $reason }

## Карточка аватара

card-title = 👤 { $name }
card-title-main = 👤 { $name } ⭐ основной
card-status = Статус: { $status }
card-queue-position = Место в очереди: { $position }
card-failure = Последняя попытка не удалась: { $reason }
card-send-photos = Присылайте сюда фото, чтобы добавить их.
card-can-generate = Готов рисовать вас: нажмите [Сгенерировать].
confirm-abandon = Отменить аватар { $name }? Фото останутся, но обучить его будет нельзя.
confirm-cancel-training = Остановить обучение { $name }? Обучение отменится, продолжить его будет нельзя.
stop-training-refunded = Обучение ещё не запущено: его кредиты вернутся.
stop-training-charged = Обучение уже идёт на сервере: его кредиты не вернутся.
confirm-delete = Удалить { $name } навсегда? Это нельзя отменить.
avatar-deleted = { $name } удалён.
rename-ask = Пришлите новое имя для { $name }.
renamed = Новое имя: { $name }.
toast-cancelled = Отменено
toast-deleted = Удалено
toast-main-chosen = { $name } — теперь ваш основной аватар
toast-training-started = Обучение началось
avatars-title = Ваши аватары:
avatars-title-page = Ваши аватары (страница { $page } из { $pages }):
avatars-line = • { $name } — { $status }, { $count ->
    [one] { $count } фото
    [few] { $count } фото
    [many] { $count } фото
   *[other] { $count } фото
}
avatars-line-main = • { $name } ⭐ — { $status }, { $count ->
    [one] { $count } фото
    [few] { $count } фото
    [many] { $count } фото
   *[other] { $count } фото
}
avatars-none = У вас пока нет аватаров.

## Уведомления об обучении

training-completed = 🎉 { $name } готов! Опишите любую сцену — и я нарисую вас в ней.
training-failed = 😔 Обучение { $name } не удалось: { $reason }
    Можно попробовать ещё раз с теми же фото или сначала поменять их.

## Генерация

generate-ask-prompt = Опишите картинку с { $name } (например: «в скафандре на Марсе, кинематографичный свет»).
prompt-invalid = Опишите картинку, пожалуйста, от 1 до { $max } символов.
generate-ask-aspect = { $prompt }
    Выберите формат картинки:
generate-started = 🎨 Рисую { $prompt } ({ $aspect })…
generate-no-avatar = У вас ещё нет готового аватара. Создайте его: /new.
toast-generating = Рисую…
generation-caption = { $prompt }
generation-delivered = Готово! Ещё раз с тем же описанием или новое?
generation-failed = 😔 Не получилось нарисовать: { $reason }

## Кнопки

button-new-avatar = ➕ Новый аватар
button-my-avatars = 📋 Мои аватары
button-home = 🏠 Меню
button-resume-creation = ▶️ Продолжить создание
button-continue-avatar = ▶️ Продолжить { $name }
button-open-avatar = { $name }
button-avatar-card = 👤 Аватар
button-add-photos = 📸 Добавить фото
button-remove-photos = 🗑 Удалить фото
button-change-photos = 📸 Поменять фото
button-start-training = 🚀 Начать обучение
button-retry-training = 🔁 Обучить заново
button-generate = 🎨 Сгенерировать
button-generate-with = 🎨 Сгенерировать с { $name }
button-make-main = ⭐ Сделать основным
button-refresh = 🔄 Обновить
button-rename = ✏️ Переименовать
button-cancel-avatar = ✖️ Отменить
button-confirm-cancel = Да, отменить
button-delete = 🗑 Удалить
button-confirm-delete = Да, удалить
button-back = ⬅️ Назад
button-previous-page = ◀️ Назад
button-next-page = Дальше ▶️
button-again = 🔁 Ещё раз
button-new-prompt = ✏️ Новое описание

## Старые, неизвестные и чужие кнопки

stale-unknown-button = Эта кнопка устарела. Отправьте /start, чтобы увидеть актуальное меню.
stale-avatar-gone = Этого аватара больше нет.
not-your-avatar = Это не ваш аватар; ничего не изменилось.
stale-question = Этот вопрос уже закрыт. Отправьте /start, чтобы увидеть, где вы.
stale-training = Обучение уже запущено (или сейчас не может начаться); дважды ничего не запущено.
stale-no-photos-now = Этот аватар сейчас не принимает фото.
stale-photo-gone = Этого фото уже нет.
stale-not-now = Это уже невозможно; вот аватар в нынешнем виде.
stale-main-needs-completed = Основным может быть только готовый аватар.
stale-cannot-generate = Этот аватар пока не умеет рисовать.
stale-generation-requested = Эту картинку я уже рисую.
stale-generation-gone = Не могу найти эту картинку.

## Credits and payments

wallet-balance = 💰 Баланс: { $available ->
    [one] { $available } кредит
    [few] { $available } кредита
    [many] { $available } кредитов
   *[other] { $available } кредита
}
wallet-reserved = Зарезервировано за работу в процессе: { $reserved } ({ $count ->
    [one] { $count } задача
    [few] { $count } задачи
    [many] { $count } задач
   *[other] { $count } задачи
}). Спишутся при успехе и вернутся при ошибке.
wallet-prices = Обучение аватара стоит { $training } кредитов, каждое изображение — { $image }.
wallet-recent = Последние операции:
wallet-op-granted = { $date }: +{ $credits } в подарок
wallet-op-topup = { $date }: +{ $credits } куплено за звёзды
wallet-op-reserved = { $date }: { $credits } зарезервировано
wallet-op-captured = { $date }: резерв списан
wallet-op-released = { $date }: резерв возвращён
wallet-op-stars-refunded = { $date }: −{ $credits } (звёзды возвращены)
wallet-not-enough = Недостаточно кредитов: нужно { $price }, у вас { $available }. Пополните баланс, чтобы продолжить.
topup-choose = У вас { $available } кредитов. Выберите пакет; оплата в Telegram Stars.
topup-paid = ✅ Оплата получена: +{ $credits } кредитов. Теперь у вас { $available }.
topup-unknown-package = Этого пакета больше нет в продаже. Выберите другой.
invoice-title = { $credits } кредитов
invoice-description = { $credits } кредитов на обучение аватаров и генерацию изображений.
invoice-label = { $credits } кредитов
precheckout-unknown-package = Этого пакета больше нет в продаже. Деньги не списаны.
precheckout-not-yours = Этот счёт выставлен другому пользователю. Деньги не списаны.
paysupport =
    Вопросы об оплате: напишите сюда, что и когда случилось, и оператор ответит.
    Кредиты не сгорают. Обучение или изображение списывается только при успехе: при ошибке кредиты возвращаются. Отмена обучения возвращает кредиты, пока обучение не началось на сервере; после этого оно списывается.
    Звёзды за пополнение можно вернуть, пока его кредиты не потрачены.
terms =
    Кредиты покупаются за Telegram Stars и тратятся на обучение и изображения в этом боте. Кредиты задачи резервируются при запуске, списываются при успехе и возвращаются при ошибке. Отменённое обучение возвращается, пока оно не запущено. Непотраченные пополнения можно вернуть через /paysupport.
button-top-up = 💰 Пополнить
button-balance = 💰 Баланс
button-package = { $credits } кредитов — ⭐ { $stars }
toast-topup-invoice = Оплатите счёт ниже
command-balance = Мои кредиты
command-topup = Купить кредиты
command-paysupport = Помощь с оплатой
