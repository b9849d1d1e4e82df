"""What English-speaking demo customers write about, one entry per contact topic."""

from __future__ import annotations

from console.demo.topics import Lines

EN: dict[str, Lines] = {
    "card_lost": Lines(
        "Lost or stolen card",
        ("Lost debit card - please block", "My wallet was stolen last night"),
        ("Hello, I lost my debit card somewhere between the station and my office this "
         "morning. Please block it and send a replacement to my home address.",
         "Hi, my bag was taken from a cafe yesterday evening with my credit card inside. "
         "I have not seen any strange payments yet but I would like the card cancelled."),
        ("hi I think I left my card in a taxi, can you freeze it?",
         "My card is missing since this morning. Can you block it right now please",
         "Lost my card at the airport. I fly out tomorrow, can I get a new one fast?"),
        ("I have blocked the card ending in the digits you gave me; a replacement will "
         "arrive within five business days.",
         "The card is now frozen. You can unfreeze it in the app if it turns up."),
    ),
    "card_fraud": Lines(
        "Suspicious transaction",
        ("Payments I did not make", "Fraud alert on my credit card"),
        ("There are three payments to an online store I have never used on my statement "
         "from last weekend. I still have my card. What should I do?",
         "I received a text saying my card was used abroad, but I am at home. Is this real?"),
        ("there's a charge from a shop in another country on my card, it's not me",
         "Got a fraud alert text, was that you guys?",
         "Someone took 450 dollars from my account overnight!"),
        ("I have cancelled the card and opened a dispute for the three payments; you will "
         "hear from our fraud team within two business days.",
         "That text was genuine. The card is blocked and a new one is on its way."),
    ),
    "card_limit": Lines(
        "Card limit change",
        ("Request to raise my credit limit", "Temporary limit increase for travel"),
        ("Could you raise the limit on my credit card? I have a large purchase coming up "
         "next month and my current limit is too low.",
         "I am travelling for three weeks and would like a temporary increase of my daily "
         "withdrawal limit."),
        ("can I raise my card limit for one week?",
         "what's my current credit limit?",
         "I need a higher daily ATM limit while I'm abroad"),
        ("Your limit has been raised for the next 30 days; it returns to normal after that.",
         "I have sent a limit review request; a decision usually takes one business day."),
    ),
    "card_declined": Lines(
        "Card declined",
        ("Card declined at the supermarket", "Why was my payment refused?"),
        ("My card was declined twice today although there is money in my account. "
         "Could you check whether something is blocked?",
         "An online payment failed with an authentication error. I did not receive a code."),
        ("my card keeps getting declined, what's going on",
         "payment failed at the petrol station just now",
         "card not working online, no verification code"),
        ("The card was blocked after three wrong PIN attempts; I have reset the counter.",
         "Your phone number for verification codes was outdated; I have corrected it."),
    ),
    "mortgage": Lines(
        "Mortgage enquiry",
        ("Question about my mortgage repayment", "Fixed rate ending soon"),
        ("My fixed rate period ends in two months. What options do I have and can I "
         "switch to a new fixed rate without a fee?",
         "I would like to make an extra repayment on my mortgage this year. Is there a "
         "limit and will it reduce the term or the monthly payment?"),
        ("how much would it cost to repay my mortgage early?",
         "when does my fixed rate end?",
         "can I move my mortgage payment date to the 25th?"),
        ("I have sent you the current switching offers; you can accept one in the app.",
         "Overpayments of up to 10% a year are free; I have noted your request."),
    ),
    "loan_application": Lines(
        "Loan application",
        ("Status of my personal loan application", "Car loan documents"),
        ("I applied for a personal loan last week and have not heard back. Could you tell "
         "me whether you need anything else from me?",
         "Please find attached my payslips for the car loan application. Let me know if "
         "anything is missing."),
        ("any news on my loan application?",
         "what documents do you need for a car loan",
         "can I apply for a loan in the app?"),
        ("Your application is approved; the contract is waiting for your signature.",
         "We still need your latest tax statement; you can upload it in the app."),
    ),
    "login": Lines(
        "Online banking access",
        ("Locked out of online banking", "Password reset not working"),
        ("I entered my password wrong too many times and now my online banking is locked. "
         "How can I unlock it?",
         "The password reset link in your e-mail says it has expired, even when I click "
         "it right away."),
        ("can't log in to the app, says account locked",
         "reset link expired again",
         "new phone, how do I set up the app again?"),
        ("I have unlocked your access; please sign in and choose a new password.",
         "I sent a new activation code to your registered mobile number."),
    ),
    "transfer": Lines(
        "Transfer problem",
        ("Transfer has not arrived", "International transfer on hold"),
        ("I sent money to my landlord three days ago and he has not received it. The "
         "transfer shows as completed in my app.",
         "My transfer to a bank abroad is shown as on hold. Do you need more information?"),
        ("sent money to the wrong account, can you stop it?",
         "my transfer is stuck as pending since Monday",
         "what's the cut-off time for same-day transfers?"),
        ("The transfer was held for a routine check and has now been released.",
         "I have requested a recall from the receiving bank; this can take up to ten days."),
    ),
    "app": Lines(
        "Mobile app issue",
        ("App crashes after the update", "Cannot add my card to my phone wallet"),
        ("Since yesterday's update the app closes as soon as I open the accounts screen.",
         "When I try to add my card to my phone wallet I get an error saying the card is "
         "not supported."),
        ("app keeps crashing on login",
         "notifications stopped working",
         "can't add card to phone wallet"),
        ("A fix is being rolled out today; reinstalling the app solves it in the meantime.",
         "Your card is now enabled for mobile wallets; please try again."),
    ),
    "address_change": Lines(
        "Change of address",
        ("Change of address", "Update my contact details"),
        ("I moved last month. Please update my address on all my accounts; I can send a "
         "utility bill as proof.",
         "I have a new phone number and e-mail address and would like to update both."),
        ("I moved, how do I change my address?",
         "need to update my phone number",
         "changed my name after marriage, what do you need?"),
        ("Your new address is saved; cards and statements will go there from now on.",
         "Please bring your ID to any branch, or upload it in the app, to finish the change."),
    ),
    "statement": Lines(
        "Statement request",
        ("Need statements for my visa application", "Annual tax certificate"),
        ("Could you send me bank statements for the last six months with a bank stamp? "
         "They are for a visa application.",
         "I have not received the annual interest certificate for my tax return."),
        ("how do I download old statements?",
         "need a stamped statement for my landlord",
         "where is my tax certificate?"),
        ("The stamped statements have been posted to your home address.",
         "You can download the certificate under Documents in online banking."),
    ),
    "fees": Lines(
        "Fees and charges",
        ("Unexpected fee on my account", "Overdraft charges"),
        ("I was charged a monthly fee this month although my account is supposed to be "
         "free. Could you explain?",
         "I went into my overdraft by mistake for one day and was charged interest and a "
         "fee. Could this be refunded?"),
        ("why was I charged a fee this month?",
         "is there a fee for foreign card payments?",
         "can you refund the overdraft charge?"),
        ("As a goodwill gesture I have refunded the fee; it will show within two days.",
         "The fee applies because the minimum monthly deposit was not reached."),
    ),
}

NOTES_EN = (
    "Identity verified with date of birth and last four digits.",
    "Customer asked for a call back after 6 pm.",
    "Second contact about the same issue this week.",
    "Explained the fee schedule; customer satisfied.",
    "Customer was upset; offered goodwill refund, accepted.",
    "Documents received and checked.",
)
